// A first draft of a peach hibiscus: five flat round petals and a red centre, no washes yet.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#fbf7f0');
  brush.noStroke();
  brush.fillBleed(0);
  brush.fillTexture(0, 0);
  brush.fill('#81b29a', 255);
  brush.polygon([[-20, 60], [-140, 150], [-200, 140], [-100, 70]]);
  brush.fill('#f4a582', 255);
  for (let i = 0; i < 5; i++) {
    const a = (i * TWO_PI) / 5 - HALF_PI;
    brush.circle(95 * cos(a), 95 * sin(a), 80);
  }
  brush.fill('#d2504f', 255);
  brush.circle(0, 0, 40);
}
