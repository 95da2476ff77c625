// A teal enamel teapot and a small cup on a pale table, watercolour with ink contours.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f2ea');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#e6dccb', 150);
  brush.fillBleed(0.2);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, 90, 512, 166);

  // shadow
  brush.fill('#c7bba8', 120);
  brush.fillBleed(0.25);
  brush.polygon([[-130, 110], [120, 105], [200, 128], [-110, 140]]);

  // teapot body
  brush.fill('#2f8f8a', 215);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.4);
  brush.beginShape(0.7);
  brush.vertex(-110, 10);
  brush.vertex(-70, -55);
  brush.vertex(70, -55);
  brush.vertex(110, 10);
  brush.vertex(85, 105);
  brush.vertex(-85, 105);
  brush.endShape(true);
  // spout
  brush.polygon([[95, 20], [175, -50], [185, -40], [110, 60]]);
  // lid + knob
  brush.fill('#24706c', 210);
  brush.rect(-60, -75, 120, 22);
  brush.circle(0, -88, 12);
  // highlight
  brush.fill('#a9dcd6', 170);
  brush.polygon([[-80, -20], [-55, -40], [-60, 40], [-82, 30]]);

  // cup
  brush.fill('#2f8f8a', 200);
  brush.beginShape(0.5);
  brush.vertex(150, 70);
  brush.vertex(220, 70);
  brush.vertex(210, 110);
  brush.vertex(160, 110);
  brush.endShape(true);

  // ink
  brush.noFill();
  brush.set('pen', '#1f2d2c', 0.9);
  brush.spline([[-110, 10], [-70, -55], [70, -55], [110, 10], [85, 105], [-85, 105], [-110, 10]], 0.7);
  brush.spline([[-100, -5], [-175, -20], [-165, 60], [-100, 60]], 0.7);
  brush.line(95, 20, 175, -50);
  brush.line(110, 60, 185, -40);
  brush.line(150, 70, 220, 70);
  brush.line(-256, 90, 256, 90);
}
