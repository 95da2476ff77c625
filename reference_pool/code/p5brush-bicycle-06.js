// A bicycle that falls apart: two wheels of different sizes at different heights, loose multicoloured tubes scattered around, a floating seat.
function tube(a, b, w) {
  let dx = b[0] - a[0], dy = b[1] - a[1], L = sqrt(dx * dx + dy * dy);
  let nx = -dy / L * w / 2, ny = dx / L * w / 2;
  return [[a[0] + nx, a[1] + ny], [b[0] + nx, b[1] + ny], [b[0] - nx, b[1] - ny], [a[0] - nx, a[1] - ny]];
}

function wheel(c, r, tyre, spoke) {
  brush.set('pastel', tyre, 2.6);
  brush.circle(c[0], c[1], r);
  brush.set('pen', tyre, 1.4);
  brush.circle(c[0], c[1], r - 8);
  brush.set('pen', spoke, 0.8);
  for (let i = 0; i < 16; i++) {
    let a = i * 22.5 + 7;
    brush.line(c[0] + 6 * cos(a), c[1] + 6 * sin(a), c[0] + (r - 9) * cos(a), c[1] + (r - 9) * sin(a));
  }
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // wheels of different sizes at different heights
  brush.set('charcoal', '#333333', 2);
  brush.circle(-150, 90, 70);
  brush.circle(120, -20, 105);
  brush.set('2B', '#555', 1);
  for (let i = 0; i < 7; i++) brush.line(-150, 90, -150 + random(-90, 90), 90 + random(-90, 90));
  // frame tubes that do not meet anything
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.4);
  let cols = ['#d9534f', '#5bc0de', '#f0ad4e', '#5cb85c'];
  for (let i = 0; i < 7; i++) {
    let a = [random(-200, 200), random(-200, 150)];
    let b = [a[0] + random(-120, 120), a[1] + random(-120, 120)];
    brush.fill(cols[i % 4], 200);
    brush.polygon(tube(a, b, random(6, 14)));
  }
  // seat floating off to the side
  brush.fill('#3a2a22', 220);
  brush.polygon([[150, -200], [200, -205], [210, -195], [160, -188]]);
  brush.set('pen', '#222', 1.5);
  brush.line(-40, 200, 60, 170);
}
