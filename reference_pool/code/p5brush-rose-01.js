// A single deep red rose in full bloom from above, cupped petals spiralling into a dark heart, sprig of leaves.
function cup(r, a, col, op) {
  // a crescent-shaped petal wrapped around the centre at angle a
  push();
  rotate(a);
  brush.fill(col, op);
  brush.beginShape(0.7);
  brush.vertex(-r, 0);
  brush.vertex(-r * 0.8, -r * 0.75);
  brush.vertex(0, -r * 1.05);
  brush.vertex(r * 0.8, -r * 0.75);
  brush.vertex(r, 0);
  brush.vertex(0, -r * 0.55);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5efe4');
  brush.noStroke();

  // leaves, tucked under the bloom
  push();
  translate(0, -55);
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.4);
  brush.fill('#3f6b3f', 200);
  brush.beginShape(0.8);
  brush.vertex(60, 90); brush.vertex(170, 120); brush.vertex(235, 200); brush.vertex(140, 180);
  brush.endShape(true);
  brush.fill('#557f48', 190);
  brush.beginShape(0.8);
  brush.vertex(-60, 100); brush.vertex(-150, 170); brush.vertex(-220, 175); brush.vertex(-150, 130);
  brush.endShape(true);
  brush.noFill();
  brush.set('2H', '#2b4a2b', 0.7);
  brush.spline([[95, 110], [150, 140], [200, 180]], 0.5);
  brush.spline([[-80, 120], [-130, 150], [-180, 165]], 0.5);
  pop();
  brush.noStroke();

  translate(0, -20);
  // outer soft petals
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.5);
  for (let i = 0; i < 6; i++) {
    brush.fill(i % 2 ? '#d33a4a' : '#c8283a', 180);
    brush.circle(cos(i * 60 + 15) * 78, sin(i * 60 + 15) * 78, 62, 0.3);
  }
  // ring of cupped petals, shrinking inward and darkening
  brush.fillBleed(0.2);
  const cols = ['#d23a48', '#b51f34', '#9c1530', '#7e0e28', '#5e0920'];
  let r = 130;
  let a = 0;
  for (let k = 0; k < 14; k++) {
    brush.set('HB', '#6a0c20', 0.5);
    cup(r, a, cols[min(4, floor(k / 3))], 180);
    a += 137;
    r *= 0.86;
  }
  brush.noStroke();
  brush.fill('#4a0618', 230);
  brush.circle(0, 0, 16, 0.5);

  // a few highlight strokes
  brush.noFill();
  brush.set('cpencil', '#f3b0b4', 0.9);
  brush.arc(0, 0, 105, 200, 250);
  brush.arc(0, 0, 70, 20, 80);
}
