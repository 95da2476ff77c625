// A round wall clock, badly drawn: the face is pushed off the top-right edge, hour marks scattered at random and the hands are loose lines.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.4);
  // face far off-centre, clipped by the canvas edge
  brush.fill('#e58a3a', 220);
  brush.circle(170, -170, 190);
  brush.fill('#8cae4a', 160);
  brush.circle(150, -150, 140);
  // hour marks thrown around instead of on the rim
  brush.set('charcoal', '#4a3b2a', 1.5);
  for (let i = 0; i < 12; i++) {
    let x = random(-100, 256), y = random(-256, 80);
    let a = random(360);
    brush.line(x, y, x + 14 * cos(a), y + 14 * sin(a));
  }
  // hands that miss the centre
  brush.set('marker', '#3a6fb0', 2.2);
  brush.line(60, -40, 210, -190);
  brush.line(120, -200, 20, 60);
  brush.set('2B', '#c23b3b', 1.5);
  brush.circle(-60, 40, 30);
}
