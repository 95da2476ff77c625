// A calm blue sea under a pale sky, painted with very light washes so that almost nothing shows.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#ffffff');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fill('#dfeaf5', 25);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 256);
  brush.fill('#9ec3e6', 30);
  brush.fillBleed(0.3);
  brush.rect(-256, 0, 512, 256);
  brush.fill('#c9dbe9', 20);
  brush.circle(120, -140, 30);
  brush.set('2H', '#d6e2ee', 0.4);
  brush.line(-256, 0, 256, 0);
  for (let i = 0; i < 4; i++) {
    const x = random(-200, 150), y = random(40, 220);
    brush.line(x, y, x + 40, y);
  }
}
