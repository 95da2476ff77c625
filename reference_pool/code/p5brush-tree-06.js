// A red-orange autumn maple in a field, warm layered canopy and scattered fallen leaves.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f0e3');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  brush.fill('#d9c79a', 150);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, 140, 512, 116);

  brush.fill('#4b3326', 220);
  brush.fillBleed(0.1);
  brush.polygon([[-16, 150], [16, 150], [8, 10], [-8, 10]]);

  const cols = ['#c8432b', '#e4702f', '#f0a23a', '#a8322a'];
  for (let i = 0; i < 18; i++) {
    const a = random(0, 360);
    const rr = random(0, 110);
    brush.fill(cols[i % 4], 190);
    brush.fillBleed(0.35);
    brush.fillTexture(0.55, 0.4);
    brush.circle(cos(a) * rr, -60 + sin(a) * rr * 0.7, random(40, 62));
  }

  brush.noFill();
  brush.set('2B', '#3b2a1e', 1.3);
  brush.spline([[0, 60], [-40, -20], [-90, -50]], 0.5);
  brush.spline([[0, 40], [40, -10], [90, -60]], 0.5);

  brush.noStroke();
  for (let i = 0; i < 14; i++) {
    brush.fill(cols[i % 4], 200);
    brush.circle(random(-180, 180), random(160, 230), random(4, 8));
  }
}
