// A teal weeping willow by a pond: cascading blue-green fronds, a dark trunk, and a teal reflection.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3f3ee');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  // ground and pond
  brush.fill('#b9cfa0', 170);
  brush.fillBleed(0.25);
  brush.rect(-256, 120, 512, 136);
  brush.fill('#4c9a98', 210);
  brush.fillBleed(0.2);
  brush.beginShape(0.8);
  brush.vertex(-220, 170); brush.vertex(0, 150); brush.vertex(220, 175); brush.vertex(120, 230); brush.vertex(-150, 225);
  brush.endShape(true);
  // trunk
  brush.wash('#3b3530', 220);
  brush.polygon([[-14, 150], [-8, -60], [6, -60], [18, 150]]);
  brush.noWash();
  // crown masses
  const blobs = [[-60, -110, 70, '#2f8c86'], [50, -120, 75, '#3fa39b'], [0, -160, 70, '#277a78'], [-100, -40, 60, '#4fb3a8'], [100, -40, 60, '#2f8c86'], [0, -70, 70, '#1f6b6c']];
  for (const [x, y, r, c] of blobs) {
    brush.fill(c, 200);
    brush.fillBleed(0.3);
    brush.fillTexture(0.5, 0.5);
    brush.circle(x, y, r);
  }
  // weeping fronds
  for (let i = 0; i < 22; i++) {
    const x = random(-150, 150), y = random(-170, -40);
    brush.set('cpencil', random() < 0.5 ? '#1d5e5e' : '#3c9a90', 1);
    brush.spline([[x, y], [x + random(-8, 8), y + 60], [x + random(-12, 12), y + 130]], 0.8);
  }
  // reflection strokes
  brush.set('HB', '#e7f2ef', 0.8);
  for (let i = 0; i < 6; i++) {
    const x = random(-150, 120), y = random(165, 215);
    brush.line(x, y, x + 40, y);
  }
}
