// A rose attempt that falls apart: random red blobs, stray green strokes and pencil scribbles scattered over the page.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  for (let i = 0; i < 14; i++) {
    brush.fill(random(['#d23a48', '#e86a7a', '#7e0e28']), 170);
    brush.circle(random(-230, 230), random(-230, 230), random(12, 45));
  }
  brush.noFill();
  for (let i = 0; i < 10; i++) {
    brush.set(random(['HB', '2B', 'marker']), random(['#4f6b3a', '#2b4a2b', '#5a2a2a']), random(0.6, 1.6));
    brush.line(random(-250, 250), random(-250, 250), random(-250, 250), random(-250, 250));
  }
  brush.set('HB', '#7e0e28', 1);
  for (let i = 0; i < 6; i++) brush.arc(random(-200, 200), random(-200, 200), random(10, 40), 0, random(90, 300));
}
