// A crimson sunset harbour: red sky and red-glazed water, dark plum silhouettes of a harbour wall, houses and moored boats with masts.
function band(yTop, yBot, amp, f, ph) {
  const pts = [];
  for (let x = -300; x <= 300; x += 30) pts.push([x, yTop]);
  for (let x = 300; x >= -300; x -= 30) pts.push([x, yBot + amp * sin(x * f + ph)]);
  return pts;
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8ebe0');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#a8202e', 245);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.polygon(band(-300, -150, 12, 1.4, 0));
  brush.fill('#d23b33', 245);
  brush.polygon(band(-170, -70, 10, 1.7, 40));
  brush.fill('#ef7a4a', 240);
  brush.polygon(band(-90, 0, 8, 2, 80));
  brush.fill('#f7c36a', 255);
  brush.fillBleed(0.15);
  brush.circle(-40, -20, 26);

  // water
  const w = [['#b8313a', 0, 110], ['#8e1f2f', 100, 300]];
  for (const [c, a, b] of w) {
    const pts = [];
    for (let x = -300; x <= 300; x += 30) pts.push([x, a + 3 * sin(x * 3 + a)]);
    pts.push([300, 300], [-300, 300]);
    brush.fill(c, 250);
    brush.fillBleed(0.15);
    brush.polygon(pts);
    brush.polygon(pts);
  }
  brush.set('2B', '#f6b25f', 2);
  for (let i = 0; i < 10; i++) {
    const y = 14 + i * 18, ww = 10 + i * 6;
    brush.line(-40 - ww / 2 + random(-8, 8), y, -40 + ww / 2, y);
  }
  brush.noStroke();

  // harbour wall with houses on the right
  brush.fill('#3a1526', 255);
  brush.fillBleed(0.04);
  const town = [[60, 10], [60, -40], [85, -62], [110, -40], [110, -55], [140, -80], [170, -55], [170, -35], [200, -50], [230, -30], [230, -70], [255, -90], [280, -70], [300, -70], [300, 20]];
  brush.polygon(town);
  brush.polygon(town);
  // moored boats with masts
  const boats = [[-190, 60], [-90, 100], [10, 70]];
  for (const [bx, by] of boats) {
    brush.fill('#2d0f1e', 255);
    brush.polygon([[bx - 40, by - 12], [bx + 40, by - 12], [bx + 28, by], [bx - 30, by]]);
    brush.set('pen', '#2d0f1e', 1);
    brush.line(bx, by - 12, bx, by - 110);
    brush.line(bx, by - 100, bx + 30, by - 14);
    brush.line(bx, by - 100, bx - 32, by - 14);
    brush.noStroke();
  }
}
