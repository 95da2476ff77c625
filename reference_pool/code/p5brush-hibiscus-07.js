// A small pink hibiscus jammed into the top-left corner and cut off by the edge, the rest of the page empty.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  translate(-230, -225);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#6f8f4e', 170);
  brush.polygon([[0, 20], [60, 60], [30, 80]]);
  for (let i = 0; i < 5; i++) {
    push();
    rotate(i * 72 + 10);
    brush.fill('#e88aa8', 190);
    brush.circle(0, -45, 38);
    pop();
  }
  brush.fill('#c2364a', 220);
  brush.circle(0, 0, 16);
  brush.noFill();
  brush.set('HB', '#5a2a2a', 1);
  brush.line(0, 0, 35, -50);
}
