// A mid-century sunburst wall clock: golden yellow rays of two lengths around a small cream face with black hands, on a warm cream wall.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f1e3');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // warm wall and soft shadow
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#efe2c2', 170);
  brush.rect(-256, -256, 512, 512);
  brush.fillBleed(0.3);
  brush.fill('#cdbb92', 110);
  brush.circle(12, 16, 200);

  // rays
  brush.fillBleed(0.04);
  brush.fillTexture(0.4, 0.5);
  for (let i = 0; i < 24; i++) {
    let a = i * 15;
    let L = i % 2 === 0 ? 225 : 175;
    let w = i % 2 === 0 ? 5 : 4;
    let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
    let pts = [[ux * 70 + px * w * 2, uy * 70 + py * w * 2], [ux * L + px * w, uy * L + py * w], [ux * (L + 8), uy * (L + 8)], [ux * L - px * w, uy * L - py * w], [ux * 70 - px * w * 2, uy * 70 - py * w * 2]];
    brush.fill(i % 2 === 0 ? '#e3a823' : '#f0c63e', 240);
    brush.polygon(pts);
    brush.polygon(pts);
  }
  // ray tips
  for (let i = 0; i < 24; i += 2) {
    let a = i * 15;
    brush.fill('#c8871a', 250);
    brush.circle(232 * sin(a), -232 * cos(a), 7);
  }

  // ring and face
  brush.noFill();
  brush.wash('#d9971f', 255);
  brush.circle(0, 0, 96);
  brush.wash('#fbf4df', 255);
  brush.circle(0, 0, 84);
  brush.noWash();
  brush.fillBleed(0.03);
  brush.fill('#f1e3b8', 140);
  brush.circle(-10, -12, 60);

  // hour marks
  brush.set('rotring', '#3a2a12', 2.2);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    let r2 = i % 3 === 0 ? 62 : 70;
    brush.line(78 * sin(a), -78 * cos(a), r2 * sin(a), -r2 * cos(a));
  }
  brush.noStroke();

  // hands at 2:50
  brush.noFill();
  brush.wash('#1e1710', 255);
  brush.polygon(hand(85, 44, 4.5, 10));
  brush.polygon(hand(300, 64, 3.2, 12));
  brush.circle(0, 0, 6);
  brush.noWash();
  brush.fill('#c8871a', 255);
  brush.circle(0, 0, 3);
}
