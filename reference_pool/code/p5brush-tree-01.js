// A broad summer oak on a gentle hill, layered green watercolour canopy and a graphite trunk.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f2e6');
  brush.scaleBrushes(1.5);

  // sky wash
  brush.noStroke();
  brush.fill('#cfe0e8', 120);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, -256, 512, 300);

  // hill
  brush.fill('#a9bf6a', 180);
  brush.fillBleed(0.25);
  brush.beginShape(0.6);
  brush.vertex(-256, 150);
  brush.vertex(-100, 118);
  brush.vertex(80, 124);
  brush.vertex(256, 150);
  brush.vertex(256, 256);
  brush.vertex(-256, 256);
  brush.endShape(true);

  // trunk
  brush.fill('#6b4a30', 220);
  brush.fillBleed(0.1);
  brush.polygon([[-18, 130], [18, 130], [12, 20], [40, -20], [30, -25], [5, 5], [-5, -30], [-18, -25], [-10, 20]]);

  // canopy: dark, mid, light layers
  const layers = [['#2f5d34', 200, 0], ['#4f8a3c', 180, -8], ['#8dbb55', 160, -18]];
  for (const [c, a, dy] of layers) {
    brush.fill(c, a);
    brush.fillBleed(0.35);
    brush.fillTexture(0.55, 0.4);
    for (let i = 0; i < 5; i++) {
      const ang = -180 + i * 45;
      const x = cos(ang) * 95 + random(-10, 10);
      const y = -70 + sin(ang) * 55 + dy + random(-8, 8);
      brush.circle(x, y + 20, 62 - dy * 0.8);
    }
  }

  // shadow at base
  brush.fill('#5f7a3a', 150);
  brush.polygon([[-90, 132], [110, 128], [80, 145], [-70, 146]]);

  // branches
  brush.noFill();
  brush.set('2B', '#3b2a1e', 1.4);
  brush.spline([[0, 60], [-30, -10], [-80, -60]], 0.6);
  brush.spline([[5, 40], [50, -20], [95, -55]], 0.6);
  brush.spline([[0, 0], [0, -70], [-10, -120]], 0.6);
}
