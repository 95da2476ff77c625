// A loose grid of overlapping pink and coral circles, translucent watercolour glazes.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf3f0');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  const cols = ['#f08aa6', '#e85d7a', '#f7b2a0', '#f4c6d4', '#d94f6e'];
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      brush.fill(cols[(r + c) % 5], 180);
      brush.fillBleed(0.25);
      brush.fillTexture(0.5, 0.45);
      brush.circle(-165 + c * 110 + random(-12, 12), -165 + r * 110 + random(-12, 12), random(42, 62));
    }
  }
}
