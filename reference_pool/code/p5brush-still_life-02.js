// Red tulips in a white jug against a warm grey wall, watercolour washes with pencil stems.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4efe6');
  brush.scaleBrushes(1.5);

  // wall and table
  brush.noStroke();
  brush.fill('#d9d2c5', 140);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.2);
  brush.rect(-256, -256, 512, 380);
  brush.fill('#b88f6a', 170);
  brush.rect(-256, 124, 512, 132);

  // stems (pencil)
  brush.noFill();
  brush.set('2B', '#4d6b35', 1.6);
  brush.spline([[0, 40], [-20, -40], [-70, -110]], 0.6);
  brush.spline([[0, 40], [5, -60], [10, -150]], 0.6);
  brush.spline([[0, 40], [35, -40], [85, -95]], 0.6);
  brush.spline([[0, 40], [-40, -10], [-120, -40]], 0.6);

  // leaves
  brush.noStroke();
  brush.fill('#5f8a45', 180);
  brush.fillBleed(0.3);
  brush.polygon([[-5, 20], [-70, -40], [-20, -10]]);
  brush.fill('#6f9a50', 170);
  brush.polygon([[5, 20], [60, -30], [20, 0]]);

  // tulip heads
  const heads = [[-70, -118, '#d33a2c'], [10, -160, '#c72f3a'], [88, -102, '#e0503a'], [-124, -46, '#d8452f']];
  for (const [x, y, c] of heads) {
    brush.fill(c, 215);
    brush.fillBleed(0.3);
    brush.fillTexture(0.5, 0.4);
    brush.beginShape(0.5);
    brush.vertex(x - 22, y - 20);
    brush.vertex(x - 8, y - 8);
    brush.vertex(x, y - 26);
    brush.vertex(x + 8, y - 8);
    brush.vertex(x + 22, y - 20);
    brush.vertex(x + 18, y + 14);
    brush.vertex(x, y + 22);
    brush.vertex(x - 18, y + 14);
    brush.endShape(true);
  }

  // jug
  brush.fill('#fbfaf6', 230);
  brush.fillBleed(0.15);
  brush.fillTexture(0.2, 0.3);
  brush.beginShape(0.5);
  brush.vertex(-55, 20);
  brush.vertex(55, 20);
  brush.vertex(70, 90);
  brush.vertex(55, 150);
  brush.vertex(-55, 150);
  brush.vertex(-70, 90);
  brush.endShape(true);
  brush.fill('#a9b4c2', 120);
  brush.polygon([[30, 30], [62, 90], [48, 145], [30, 145]]);

  // jug outline and handle
  brush.noFill();
  brush.set('HB', '#4a4038', 1.0);
  brush.spline([[-55, 20], [-70, 90], [-55, 150], [55, 150], [70, 90], [55, 20]], 0.5);
  brush.spline([[62, 45], [100, 60], [95, 105], [66, 115]], 0.6);
  brush.line(-55, 20, 55, 20);
}
