// Pink peonies in a round glass vase, soft layered petals on warm paper.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8f1ec');
  brush.scaleBrushes(1.5);

  // leaves
  brush.noStroke();
  brush.fill('#6d9060', 170);
  brush.fillBleed(0.3);
  brush.polygon([[-20, 0], [-150, -10], [-60, 30]]);
  brush.polygon([[20, 0], [150, 20], [60, 35]]);

  // peonies: layered petal discs
  const blooms = [[-60, -70, 70], [55, -95, 62], [0, -20, 58]];
  for (const [x, y, r] of blooms) {
    for (let i = 0; i < 6; i++) {
      push();
      translate(x, y);
      rotate(i * 60 + random(20));
      brush.fill(i % 2 ? '#f2a7bb' : '#e98aa6', 150);
      brush.fillBleed(0.35);
      brush.fillTexture(0.5, 0.35);
      brush.circle(0, -r * 0.45, r * 0.55);
      pop();
    }
    brush.fill('#d05a82', 190);
    brush.circle(x, y, r * 0.3);
  }

  // glass vase
  brush.fill('#cfe0e4', 150);
  brush.fillBleed(0.2);
  brush.fillTexture(0.3, 0.5);
  brush.circle(0, 120, 85);
  brush.fill('#b2cdd3', 150);
  brush.rect(-30, 25, 60, 30);

  brush.noFill();
  brush.set('HB', '#6a5a60', 0.9);
  brush.spline([[-30, 40], [-80, 90], [-70, 180], [0, 206], [70, 180], [80, 90], [30, 40]], 0.6);
  brush.set('2B', '#4f6b40', 1.2);
  brush.line(-10, 40, -40, 120);
  brush.line(10, 40, 30, 125);
  brush.line(-256, 206, 256, 206);
}
