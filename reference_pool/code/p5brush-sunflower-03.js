// A sunflower painted with far too little pigment: faint yellow ghost petals and a barely visible centre on white.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbfaf6');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.2, 0.1);
  for (let i = 0; i < 12; i++) {
    push();
    rotate(i * 30);
    brush.fill('#f7e08a', 95);
    brush.circle(0, -80, 30);
    pop();
  }
  brush.fill('#a07850', 80);
  brush.circle(0, 0, 45);
  brush.noFill();
  brush.set('2H', '#c8d2b0', 0.5);
  brush.line(0, 50, 0, 240);
}
