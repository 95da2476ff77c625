// An abstract composition in blues: overlapping cobalt, cerulean and ink circles with a bold navy arc and fine graphite lines.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f2ec');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  const discs = [[-70, -60, 130, '#8fb8de', 200], [80, 40, 110, '#2f5fa8', 210], [-40, 110, 70, '#5c8fd0', 200], [120, -120, 50, '#1d3a6e', 220], [-140, 80, 40, '#b9d3ec', 220]];
  for (const [x, y, r, c, o] of discs) {
    brush.wash(c, 110);
    brush.circle(x, y, r * 0.92);
    brush.noWash();
    brush.fill(c, o);
    brush.fillBleed(0.25);
    brush.fillTexture(0.55, 0.6);
    brush.circle(x, y, r);
  }
  // a warm accent
  brush.fill('#e2a64b', 220);
  brush.fillBleed(0.15);
  brush.circle(30, -20, 22);

  // navy arc and graphite structure
  brush.set('2B', '#1b2f55', 2.4);
  brush.noFill();
  brush.arc(-70, -60, 150, 200, 330);
  brush.set('HB', '#3a4a60', 0.8);
  brush.line(-230, 170, 230, -170);
  brush.line(-200, -210, -200, 210);
  brush.line(150, -230, 150, 230);
  brush.set('rotring', '#1b2f55', 0.6);
  brush.circle(80, 40, 125);
}
