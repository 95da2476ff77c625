// A red rose painted over and over: petal layers in brown, maroon and olive pile up into a muddy dark lump on a grey ground.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#d8d2c4');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#8a8270', 220);
  brush.fillBleed(0.5);
  brush.fillTexture(0.8, 0.9);
  brush.rect(-256, 60, 512, 200);
  const cols = ['#6b2a22', '#5a4a2a', '#4a3a30', '#7a3a2a', '#556040'];
  for (let pass = 0; pass < 4; pass++) {
    for (let i = 0; i < 6; i++) {
      const a = i * 60 + pass * 17;
      brush.fill(cols[(i + pass) % cols.length], 235);
      brush.fillBleed(0.55);
      brush.fillTexture(0.8, 0.9);
      brush.circle(60 * cos(a), 50 * sin(a) - 40, 75 - pass * 10);
    }
  }
  brush.set('charcoal', '#2a2018', 3);
  brush.spline([[0, 40], [10, 150], [-5, 256]], 0.5);
  brush.noFill();
  brush.circle(0, -40, 60);
  brush.circle(10, -30, 30);
}
