// A pink dawn over a calm sea: blush sky, a soft pale sun, rosy water with lilac ripples and a distant headland.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8eeee');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  const sky = [['#e7a3b8', -256, -130], ['#f2bcc4', -150, -40], ['#f8d6cf', -60, 20]];
  for (const [c, y0, y1] of sky) {
    const pts = [[-290, y0 - 30], [290, y0 - 30]];
    for (let x = 290; x >= -290; x -= 40) pts.push([x, y1 + 8 * sin(x * 1.7 + y0)]);
    brush.fill(c, 240);
    brush.fillBleed(0.3);
    brush.fillTexture(0.4, 0.25);
    brush.polygon(pts);
  }
  brush.fill('#fff4ec', 255);
  brush.fillBleed(0.12);
  brush.circle(70, -40, 34);

  // headland
  brush.fill('#b07a9a', 235);
  brush.fillBleed(0.1);
  brush.beginShape(0.5);
  brush.vertex(-290, 12); brush.vertex(-230, -30); brush.vertex(-150, -22); brush.vertex(-90, 12);
  brush.endShape(true);

  // sea
  const sea = [['#e9a7bd', 10, 240], ['#d88aa8', 90, 240], ['#c27098', 170, 245]];
  for (const [c, y0, op] of sea) {
    const pts = [];
    for (let x = -290; x <= 290; x += 40) pts.push([x, y0 + 3 * sin(x * 2.3)]);
    pts.push([290, 290], [-290, 290]);
    brush.fill(c, op);
    brush.fillBleed(0.2);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(pts);
  }
  // sun path and ripples
  brush.set('marker', '#fde6dc', 1.1);
  for (let i = 0; i < 12; i++) {
    const y = 24 + i * 18, w = 10 + i * 5;
    brush.line(70 - w / 2 + random(-6, 6), y, 70 + w / 2, y);
  }
  brush.set('2H', '#9a5b8c', 1);
  for (let i = 0; i < 10; i++) {
    const x = random(-240, 220), y = random(60, 240);
    brush.line(x, y, x + random(20, 45), y);
  }
}
