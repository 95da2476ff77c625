// A drift of orange California poppies, four cup-shaped flowers on slender blue-green stems across the page.
function cupFlower(x, y, s, tilt) {
  push();
  translate(x, y);
  rotate(tilt);
  brush.set('HB', '#b54d0a', 0.5);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.5);
  brush.fill('#f28c1c', 220);
  brush.beginShape(0.6);
  brush.vertex(-50 * s, -45 * s); brush.vertex(-42 * s, 10 * s); brush.vertex(0, 32 * s);
  brush.vertex(42 * s, 10 * s); brush.vertex(50 * s, -45 * s); brush.vertex(0, -20 * s);
  brush.endShape(true);
  brush.fill('#f7a531', 210);
  brush.beginShape(0.6);
  brush.vertex(-25 * s, -55 * s); brush.vertex(-28 * s, 5 * s); brush.vertex(0, 30 * s);
  brush.vertex(28 * s, 5 * s); brush.vertex(25 * s, -55 * s); brush.vertex(0, -40 * s);
  brush.endShape(true);
  brush.noStroke();
  brush.fill('#e06a10', 160);
  brush.circle(0, 15 * s, 14 * s);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f1e6');
  brush.noFill();
  brush.set('HB', '#6f9a86', 1.3);
  const heads = [[-150, -40, 0.9, -10], [-40, -120, 1.1, 0], [70, -20, 1.0, 8], [170, -110, 0.8, 15]];
  for (const h of heads) brush.spline([[h[0], h[1] + 30 * h[2]], [h[0] + 10, h[1] + 140], [h[0] * 0.5, 250]], 0.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#8fb3a0', 180);
  brush.polygon([[-80, 250], [-160, 180], [-200, 150], [-120, 210]]);
  brush.polygon([[40, 250], [120, 180], [180, 160], [100, 220]]);
  brush.polygon([[-10, 250], [-30, 170], [-20, 120], [0, 190]]);
  for (const h of heads) cupFlower(h[0], h[1], h[2], h[3]);
}
