// A violet hibiscus in loose watercolour: five overlapping purple petals, magenta throat, sage leaves and a graphite stamen.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f1ea');
  brush.scaleBrushes(1.5);

  // leaves
  brush.noStroke();
  brush.fill('#7d9a6b', 190);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.4);
  brush.beginShape(0.6);
  brush.vertex(-30, 60); brush.vertex(-150, 90); brush.vertex(-215, 175); brush.vertex(-120, 170);
  brush.endShape(true);
  brush.fill('#5f7d54', 180);
  brush.beginShape(0.6);
  brush.vertex(40, 80); brush.vertex(160, 110); brush.vertex(215, 200); brush.vertex(110, 190);
  brush.endShape(true);

  // petals, two layers for depth
  for (let layer = 0; layer < 2; layer++) {
    for (let i = 0; i < 5; i++) {
      push();
      rotate(i * 72 + 18 + layer * 12);
      brush.fill(layer ? '#7b4fa6' : '#a77fcf', layer ? 120 : 220);
      brush.fillBleed(0.35);
      brush.fillTexture(0.5, 0.5);
      brush.beginShape(0.7);
      brush.vertex(0, -10);
      brush.vertex(-70, -80);
      brush.vertex(-55, -150);
      brush.vertex(0, -170);
      brush.vertex(55, -150);
      brush.vertex(70, -80);
      brush.endShape(true);
      pop();
    }
  }
  // petal veins
  brush.set('2H', '#6a3f93', 0.6);
  brush.noFill();
  for (let i = 0; i < 5; i++) {
    const a = i * 72 + 18 - 90;
    brush.spline([[25 * cos(a), 25 * sin(a)], [60 * cos(a + 6), 60 * sin(a + 6)], [100 * cos(a + 3), 100 * sin(a + 3)]], 0.7);
  }
  // throat
  brush.noStroke();
  brush.fill('#b0306f', 220);
  brush.fillBleed(0.4);
  brush.circle(0, 0, 36);
  // stamen column
  brush.set('2B', '#5a2a4a', 1.3);
  brush.line(0, 0, 60, -130);
  brush.noStroke();
  brush.wash('#e8b83a', 230);
  brush.circle(62, -134, 8);
  brush.circle(52, -128, 5);
  brush.circle(70, -124, 5);
  brush.noWash();
}
