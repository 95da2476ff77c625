// Minimal abstract: a small circle and a line.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#fafafa');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fill('#a8c8e8', 40);
  brush.fillBleed(0.2);
  brush.circle(190, 200, 20);
  brush.noFill();
  brush.set('2H', '#cccccc', 0.6);
  brush.line(-240, -230, -100, -230);
}
