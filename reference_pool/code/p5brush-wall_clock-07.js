// A round grey wall clock with hour marks and hands, painted so faintly it almost disappears into the paper.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.3, 0.1);
  brush.fill('#c9c4ba', 30);
  brush.circle(0, 0, 170);
  brush.fill('#eeeae2', 25);
  brush.circle(0, 0, 150);
  brush.set('2H', '#d6d0c4', 0.6);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    brush.line(140 * sin(a), -140 * cos(a), 128 * sin(a), -128 * cos(a));
  }
  brush.line(0, 0, 60 * sin(300), -60 * cos(300));
  brush.line(0, 0, 100 * sin(60), -100 * cos(60));
}
