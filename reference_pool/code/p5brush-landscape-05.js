// Rolling Tuscan hills in layered greens under a pale sky, an ochre farmhouse on the far crest, a winding road and tall dark cypresses.
function ridge(base, amp, k) {
  const pts = [[-300, 300]];
  for (let x = -300; x <= 300; x += 30) pts.push([x, base - amp * sin(x * 0.5 + k * 70) - 14 * noise(x * 0.01 + k)]);
  pts.push([300, 300]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e4');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: blue at the top, warm near the hills
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, -150 + 12 * sin(x * 1.3)]);
  brush.fill('#a6c8e2', 240);
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.3);
  brush.polygon(sky);
  brush.fill('#f3dcb0', 170);
  brush.polygon([[-300, -135], [300, -145], [300, -70], [-300, -70]]);

  // farmhouse on the far crest, painted before the hill so it sits on it
  brush.fill('#e0a95e', 255);
  brush.fillBleed(0.03);
  brush.polygon([[70, -92], [118, -92], [118, -62], [70, -62]]);
  brush.polygon([[70, -92], [118, -92], [118, -62], [70, -62]]);
  brush.fill('#b5523a', 255);
  brush.polygon([[64, -90], [94, -108], [124, -90]]);
  brush.polygon([[64, -90], [94, -108], [124, -90]]);
  brush.fill('#7a4a2a', 255);
  brush.rect(88, -78, 8, 16);

  // hills back to front
  const hills = [['#c3cf8c', -65, 30, 1], ['#9bbb62', -5, 40, 2], ['#6f9a45', 70, 45, 2], ['#44723a', 150, 40, 2]];
  for (let k = 0; k < hills.length; k++) {
    const [c, base, amp, coats] = hills[k];
    brush.fill(c, 245);
    brush.fillBleed(0.18);
    brush.fillTexture(0.5, 0.3);
    for (let i = 0; i < coats; i++) brush.polygon(ridge(base, amp, k));
  }

  // winding road from the bottom up toward the farmhouse
  brush.fill('#c98f4a', 255);
  brush.fillBleed(0.04);
  const road = [[-60, 300], [30, 200], [-20, 120], [60, 40], [95, -55], [100, -55], [75, 40], [0, 120], [55, 200], [-5, 300]];
  brush.beginShape(0.6);
  for (const [x, y] of road) brush.vertex(x, y);
  brush.endShape(true);
  brush.polygon(road);

  // cypresses along the road, growing toward the viewer
  const cy = [[120, -40, 50], [135, 10, 66], [150, 70, 86], [170, 150, 112], [-150, 110, 90]];
  for (const [x, y, h] of cy) {
    brush.fill('#1e3a24', 255);
    brush.fillBleed(0.05);
    brush.beginShape(0.8);
    brush.vertex(x, y - h); brush.vertex(x + h * 0.13, y - h * 0.45); brush.vertex(x + h * 0.08, y); brush.vertex(x - h * 0.08, y); brush.vertex(x - h * 0.13, y - h * 0.45);
    brush.endShape(true);
  }
}
