// An apple tree with red apples, green leaves and a brown trunk.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#efe6d6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.6);
  // overworked layers
  for (let i = 0; i < 30; i++) {
    brush.fill(random(['#6b5a2a', '#5a3a2a', '#4a5a2a', '#8a3a2a', '#3a3a2a']), 210);
    brush.circle(random(-200, 200), random(-200, 120), random(30, 80));
  }
  brush.fill('#3a2a1a', 230);
  brush.rect(-25, 60, 50, 180);
  brush.set('charcoal', '#1a1410', 3);
  for (let i = 0; i < 12; i++) {
    brush.line(random(-220, 220), random(-220, 220), random(-220, 220), random(-220, 220));
  }
}
