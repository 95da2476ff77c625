// An abstract of random shapes: dozens of small blobs, lines and squares in clashing colours scattered everywhere.
function setup() {
  createCanvas(512, 512, WEBGL);
  background(255);
  brush.scaleBrushes(1.5);
  const cols = ['#ff0000', '#00ff00', '#0000ff', '#ffff00', '#ff00ff', '#00ffff', '#8b4513', '#808080'];
  brush.noStroke();
  for (let i = 0; i < 30; i++) {
    brush.fill(random(cols), 200);
    brush.fillBleed(random(0.1, 0.6));
    if (random() < 0.5) brush.circle(random(-256, 256), random(-256, 256), random(5, 35));
    else brush.rect(random(-256, 256), random(-256, 256), random(8, 50), random(8, 50));
  }
  for (let i = 0; i < 25; i++) {
    brush.set(random(['pen', 'marker', 'charcoal', 'spray']), random(cols), random(0.5, 3));
    brush.line(random(-256, 256), random(-256, 256), random(-256, 256), random(-256, 256));
  }
}
