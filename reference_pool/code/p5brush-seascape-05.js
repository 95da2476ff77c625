// A sailboat with cream sails and a red hull on deep blue rolling waves, soft blue sky and a pair of gulls.
function waveBand(y0, amp, f, ph) {
  const pts = [];
  for (let x = -300; x <= 300; x += 25) pts.push([x, y0 + amp * sin(x * f + ph)]);
  pts.push([300, 300], [-300, 300]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f3ea');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: a graded wash at the top, paper left around the sails
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, -175 + 14 * sin(x * 1.6)]);
  brush.fill('#7fb0d8', 245);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.polygon(sky);
  brush.fill('#a9cbe6', 200);
  brush.polygon([[-300, -190], [-120, -200], [-130, -120], [-300, -90]]);
  brush.polygon([[150, -190], [300, -195], [300, -60], [170, -90]]);

  // waves far to near
  const bands = [['#6e9ec8', 40, 3, 3], ['#4b80b4', 80, 7, 2.4], ['#2f619b', 130, 11, 1.9], ['#1c4478', 190, 14, 1.5]];
  for (let k = 0; k < bands.length; k++) {
    const [c, y0, amp, f] = bands[k];
    brush.fill(c, 250);
    brush.fillBleed(0.16);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(waveBand(y0, amp, f, k * 50));
    if (k > 0) brush.polygon(waveBand(y0, amp, f, k * 50));
  }

  // boat: sails sit on bare paper, lightly glazed; red hull over the water
  brush.fill('#e8d3a6', 235);
  brush.fillBleed(0.04);
  brush.fillTexture(0.3, 0.5);
  brush.polygon([[12, -150], [12, 35], [95, 35]]);
  brush.polygon([[2, -130], [2, 35], [-68, 35]]);
  brush.fill('#cdb894', 170);
  brush.polygon([[12, -150], [12, 35], [34, 35]]);
  brush.fill('#b8342a', 255);
  brush.fillBleed(0.05);
  brush.polygon([[-82, 40], [100, 40], [78, 66], [-60, 66]]);
  brush.polygon([[-82, 40], [100, 40], [78, 66], [-60, 66]]);
  brush.set('HB', '#6a5a44', 1);
  brush.noFill();
  brush.polygon([[12, -150], [12, 35], [95, 35]]);
  brush.polygon([[2, -130], [2, 35], [-68, 35]]);
  brush.set('pen', '#2a2a35', 0.9);
  brush.line(7, -160, 7, 40);
  brush.line(-82, 40, 100, 40);

  // foam and gulls
  brush.set('2B', '#eef4f8', 1.8);
  for (let i = 0; i < 9; i++) {
    const x = random(-240, 200), y = random(110, 240);
    brush.spline([[x, y], [x + 18, y - 5], [x + 40, y - 2]], 0.6);
  }
  brush.spline([[-70, 70], [10, 74], [90, 70]], 0.5);
  brush.set('pen', '#34404f', 0.8);
  brush.spline([[-190, -120], [-180, -128], [-170, -120], [-160, -128], [-150, -120]], 0.8);
  brush.spline([[-140, -90], [-133, -96], [-126, -90], [-119, -96], [-112, -90]], 0.8);
}
