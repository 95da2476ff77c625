// A stormy grey sea: heavy slate clouds with slanting rain, a thin pale break on the horizon, dark swells with white crests.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eeece8');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // clouds: overlapping dark blooms
  brush.fill('#8d949c', 245);
  brush.fillBleed(0.35);
  brush.fillTexture(0.6, 0.4);
  const top = [];
  for (let x = -300; x <= 300; x += 30) top.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) top.push([x, -60 + 25 * noise(x * 0.01)]);
  brush.polygon(top);
  brush.fill('#5d646e', 240);
  for (let i = 0; i < 6; i++) brush.circle(-220 + i * 90, -190 + random(-30, 30), random(60, 90));
  brush.fill('#40464f', 220);
  brush.circle(-60, -210, 70);
  brush.circle(150, -220, 60);

  // rain veil
  brush.noFill();
  brush.hatch(9, 70, { rand: 0.3 });
  brush.hatchStyle('2H', '#4a5058', 1);
  brush.polygon([[-60, -140], [120, -140], [80, 10], [-110, 10]]);
  brush.noHatch();
  brush.noStroke();

  // pale horizon break
  brush.fill('#dfe0d8', 200);
  brush.fillBleed(0.2);
  brush.polygon([[-300, -40], [300, -50], [300, 10], [-300, 15]]);

  // swells
  const sw = [['#6f7b82', 10, 6], ['#56626b', 60, 12], ['#3f4a54', 120, 18], ['#2c353e', 190, 22]];
  for (let k = 0; k < sw.length; k++) {
    const [c, y0, amp] = sw[k];
    const pts = [];
    for (let x = -300; x <= 300; x += 20) pts.push([x, y0 - amp * abs(sin(x * (2.2 - k * 0.3) + k * 35))]);
    pts.push([300, 300], [-300, 300]);
    brush.fill(c, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.35);
    brush.polygon(pts);
    brush.polygon(pts);
    // crests
    brush.set('2B', '#f2f2ee', 1.4 + k * 0.4);
    for (let i = 0; i < 3 + k; i++) {
      const x = random(-260, 220);
      brush.spline([[x, y0 - amp * 0.5], [x + 20, y0 - amp], [x + 45, y0 - amp * 0.6]], 0.7);
    }
    brush.noStroke();
  }
}
