// Abstract composition with many colourful shapes and lines.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#d8d0c0');
  brush.scaleBrushes(1.5);
  brush.fillBleed(0.7);
  for (let i = 0; i < 40; i++) {
    brush.noStroke();
    brush.fill(random(['#7a5a3a', '#5a6a3a', '#6a3a5a', '#8a7a4a', '#4a4a5a', '#9a4a2a']), 200);
    if (random() < 0.5) {
      brush.circle(random(-256, 256), random(-256, 256), random(20, 90));
    } else {
      brush.rect(random(-256, 256), random(-256, 256), random(30, 150), random(30, 150));
    }
  }
  brush.noFill();
  for (let i = 0; i < 15; i++) {
    brush.set(random(['charcoal', 'spray', 'marker']), random(['#3a2a1a', '#5a4a3a', '#2a3a2a']), random(1, 4));
    brush.line(random(-256, 256), random(-256, 256), random(-256, 256), random(-256, 256));
  }
}
