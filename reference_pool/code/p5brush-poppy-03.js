// A red poppy painted so large it is cropped on every side, a flat red field with a black blob off-centre and no readable shape.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f0e2');
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.4);
  for (let i = 0; i < 4; i++) {
    push();
    rotate(i * 90 + 20);
    brush.fill('#d7261e', 220);
    brush.circle(150, 0, 260);
    pop();
  }
  brush.fill('#1c1414', 230);
  brush.circle(170, 190, 60);
  brush.fill('#5a7a3a', 200);
  brush.rect(-256, 230, 80, 26);
}
