// Oranges and a lemon in a cobalt bowl on a cream table, loose watercolour with graphite outlines.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);

  // table wash
  brush.noStroke();
  brush.fill('#e8d8bd', 150);
  brush.fillBleed(0.2);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, 70, 512, 186);

  // soft shadow under the bowl
  brush.fill('#b9a78c', 110);
  brush.fillBleed(0.3);
  brush.polygon([[-150, 120], [170, 115], [190, 150], [-130, 158]]);

  // fruit: oranges and a lemon sitting in the bowl
  brush.fill('#ee8a2f', 200);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.35);
  brush.circle(-55, -5, 62);
  brush.fill('#f29a3a', 190);
  brush.circle(45, -15, 58);
  brush.fill('#f2cf4a', 190);
  brush.beginShape(0.6);
  brush.vertex(-20, -60);
  brush.vertex(40, -85);
  brush.vertex(95, -70);
  brush.vertex(60, -40);
  brush.vertex(0, -38);
  brush.endShape(true);
  brush.fill('#e0762a', 200);
  brush.circle(5, 30, 55);

  // leaf
  brush.fill('#5f8a45', 190);
  brush.polygon([[40, -72], [100, -115], [75, -65]]);

  // cobalt bowl
  brush.fill('#2f5fa8', 210);
  brush.fillBleed(0.25);
  brush.fillTexture(0.45, 0.4);
  brush.beginShape(0.5);
  brush.vertex(-150, 40);
  brush.vertex(150, 40);
  brush.vertex(110, 110);
  brush.vertex(0, 130);
  brush.vertex(-110, 110);
  brush.endShape(true);
  brush.fill('#6f93cc', 160);
  brush.polygon([[-120, 52], [-40, 52], [-70, 100]]);

  // ink structure
  brush.noFill();
  brush.set('HB', '#3a2f28', 1.1);
  brush.spline([[-150, 40], [-110, 108], [0, 130], [110, 108], [150, 40]], 0.6);
  brush.line(-150, 40, 150, 40);
  brush.circle(-55, -5, 62);
  brush.circle(45, -15, 58);
  brush.line(-256, 70, -160, 70);
  brush.line(160, 70, 256, 70);
}
