// Purple gradient bands: diagonal washes from lilac to deep violet, with a single pale stripe.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f1f6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  const cols = ['#d9c6ea', '#b89ad6', '#9470c0', '#7450a6', '#553585', '#3d2466'];
  for (let i = 0; i < cols.length; i++) {
    push();
    rotate(-20);
    brush.fill(cols[i], 190);
    brush.fillBleed(0.3);
    brush.fillTexture(0.55, 0.35);
    brush.rect(-360, -300 + i * 100, 720, 110);
    pop();
  }
  push();
  rotate(-20);
  brush.fill('#f3ecf8', 200);
  brush.rect(-360, 60, 720, 14);
  pop();
}
