// Flow field: hundreds of teal and sea-green strokes following a wave field over a pale aqua wash.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef4f2');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fill('#bfe0dc', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.2);
  brush.rect(-240, -240, 480, 480);

  brush.noFill();
  brush.field('waves');
  const cols = ['#1f6f6b', '#2f9a90', '#58b8a8', '#0f4f55'];
  for (let i = 0; i < 48; i++) {
    brush.set(random(['HB', '2B', 'cpencil']), cols[i % 4], random(1.2, 2.6));
    brush.flowLine(random(-260, 120), random(-230, 230), random(180, 320), 0);
  }
  brush.noField();
}
