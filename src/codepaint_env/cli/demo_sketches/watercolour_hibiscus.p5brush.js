// A peach hibiscus in watercolour: p5.brush fills with bleed, a graphite stem and stamen.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);

  // leaves
  brush.noStroke();
  brush.fill('#6f8f4e', 160);
  brush.fillBleed(0.25);
  brush.polygon([[-40, 60], [-170, 120], [-60, 150]]);
  brush.fill('#4f6f3a', 150);
  brush.polygon([[30, 70], [170, 150], [60, 170]]);

  // five petals around the centre
  for (let i = 0; i < 5; i++) {
    push();
    rotate(i * 72 + 10);
    brush.fill(i % 2 ? '#f2a07b' : '#ee8f6a', 190);
    brush.fillBleed(0.35);
    brush.fillTexture(0.45, 0.3);
    brush.circle(0, -95, 78);
    pop();
  }

  // centre and stamen
  brush.fill('#c2364a', 220);
  brush.circle(0, 0, 38);
  brush.noFill();
  brush.set('HB', '#5a2a2a', 1.2);
  brush.line(0, 0, 70, -120);
  brush.set('charcoal', '#e3b341', 1.5);
  brush.circle(72, -124, 6);
}
