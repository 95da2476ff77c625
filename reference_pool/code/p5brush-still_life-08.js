// Three yellow pears on a mustard cloth with folds, warm watercolour and pencil.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f2e4');
  brush.scaleBrushes(1.5);

  // cloth
  brush.noStroke();
  brush.fill('#e3b448', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.polygon([[-256, 40], [256, 10], [256, 256], [-256, 256]]);
  brush.fill('#c9962f', 130);
  brush.polygon([[-60, 40], [-20, 256], [30, 256], [-20, 30]]);

  function pear(x, y, s, c) {
    brush.fill(c, 215);
    brush.fillBleed(0.25);
    brush.fillTexture(0.5, 0.4);
    brush.beginShape(0.8);
    brush.vertex(x, y - 95 * s);
    brush.vertex(x + 25 * s, y - 60 * s);
    brush.vertex(x + 55 * s, y);
    brush.vertex(x + 35 * s, y + 45 * s);
    brush.vertex(x - 35 * s, y + 45 * s);
    brush.vertex(x - 55 * s, y);
    brush.vertex(x - 25 * s, y - 60 * s);
    brush.endShape(true);
  }
  pear(-110, 60, 1.0, '#efd04a');
  pear(10, 40, 1.2, '#f3dc5c');
  pear(125, 75, 0.9, '#d9b83a');

  // shading
  brush.fill('#b38a2a', 120);
  brush.polygon([[30, 50], [70, 50], [50, 94], [20, 94]]);

  // stems
  brush.noFill();
  brush.set('2B', '#5a3d22', 1.5);
  brush.line(-110, -35, -100, -55);
  brush.line(10, -74, 22, -98);
  brush.line(125, -10, 135, -28);
  brush.set('HB', '#7a5a2a', 0.8);
  brush.spline([[-256, 40], [0, 22], [256, 10]], 0.5);
}
