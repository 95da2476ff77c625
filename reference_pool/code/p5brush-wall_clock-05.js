// A round wall clock in purples: plum rim, pale lilac face, violet hour marks and deep purple hands at 1:50, on a lavender wall.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3eff5');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#c7b3dd', 190);
  brush.rect(-256, -256, 512, 512);
  brush.fill('#a58cc7', 120);
  brush.rect(-256, 60, 512, 196);
  brush.fillBleed(0.2);
  brush.fill('#6e5a86', 140);
  brush.circle(14, 18, 180);

  brush.noFill();
  brush.wash('#5e2f6e', 255);
  brush.circle(0, 0, 180);
  brush.noWash();
  brush.fillBleed(0.03);
  brush.fillTexture(0.5, 0.6);
  brush.fill('#7d4590', 140);
  brush.circle(0, 0, 180);
  brush.noFill();
  brush.wash('#f1e9f6', 255);
  brush.circle(0, 0, 156);
  brush.noWash();
  brush.fill('#e2d3ee', 130);
  brush.circle(25, 30, 100);

  brush.set('rotring', '#6a3f8a', 2.4);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    let r2 = i % 3 === 0 ? 112 : 124;
    brush.line(142 * sin(a), -142 * cos(a), r2 * sin(a), -r2 * cos(a));
  }
  brush.set('pen', '#9b7bb5', 1);
  for (let i = 0; i < 60; i++) {
    if (i % 5 === 0) continue;
    let a = i * 6;
    brush.line(142 * sin(a), -142 * cos(a), 136 * sin(a), -136 * cos(a));
  }
  brush.noStroke();

  brush.noFill();
  brush.wash('#3b1f4d', 255);
  brush.polygon(hand(55, 76, 6, 16));
  brush.polygon(hand(300, 118, 4.5, 20));
  brush.wash('#d9669a', 255);
  brush.polygon(hand(200, 126, 1.4, 30));
  brush.circle(0, 0, 8);
  brush.noWash();
  brush.fill('#3b1f4d', 255);
  brush.circle(0, 0, 3);
}
