// A hibiscus overworked with too many layers of red, green and violet wash until the colours turn to mud.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#efe6d6');
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.6, 0.6);
  const cols = ['#b23a2a', '#4f6b3a', '#6a3f7a', '#8a5a2a', '#3f5a5a', '#a0522d'];
  for (let layer = 0; layer < 4; layer++) {
    for (let i = 0; i < 5; i++) {
      push();
      rotate(i * 72 + layer * 17);
      brush.fill(cols[(i + layer) % cols.length], 200);
      brush.circle(0, -90 + layer * 8, 85 - layer * 6);
      pop();
    }
  }
  brush.fill('#4a3a2a', 230);
  brush.circle(0, 0, 70);
  brush.fill('#5a4a32', 200);
  brush.rect(-200, 120, 400, 120);
  brush.set('charcoal', '#2a2018', 2);
  brush.noFill();
  for (let i = 0; i < 8; i++) {
    brush.line(random(-150, 150), random(-150, 150), random(-150, 150), random(-150, 150));
  }
}
