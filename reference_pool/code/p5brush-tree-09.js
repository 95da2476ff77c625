// Misty pine forest: rows of fir silhouettes fading from pale sage to deep green under a cream sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f1e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#e9dfc4', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, -256, 512, 240);

  const rows = [['#c4d1b4', -40, 0.5, 150], ['#93ae90', 20, 0.7, 170], ['#5d8466', 90, 0.9, 190], ['#2c4a36', 180, 1.2, 220]];
  for (const [c, base, s, a] of rows) {
    // ground band for the row
    brush.fill(c, a);
    brush.fillBleed(0.1);
    brush.fillTexture(0.45, 0.5);
    brush.rect(-256, base - 4, 512, 300);
    let x = -270 + random(0, 30);
    while (x < 280) {
      const h = random(90, 150) * s;
      const w = h * 0.26;
      const pts = [[x - w, base], [x - w * 0.35, base - h * 0.55], [x - w * 0.6, base - h * 0.5], [x, base - h], [x + w * 0.6, base - h * 0.5], [x + w * 0.35, base - h * 0.55], [x + w, base]];
      brush.polygon(pts);
      brush.polygon(pts);
      x += w * random(1.6, 2.6);
    }
  }
  // a low pale sun
  brush.fill('#f0c987', 210);
  brush.fillBleed(0.2);
  brush.circle(110, -150, 34);
}
