// A classic round wall clock at ten past ten: charcoal rim, cream face, ink hour marks, black hands and a thin red second hand, soft shadow on a pale wall.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3efe6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // wall wash and shadow
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.2);
  brush.fill('#e6ddcc', 150);
  brush.rect(-256, -256, 512, 512);
  brush.fillBleed(0.2);
  brush.fill('#a39a8a', 150);
  brush.circle(14, 18, 190);

  // rim and face
  brush.noFill();
  brush.wash('#2f2d2b', 255);
  brush.circle(0, 0, 190);
  brush.wash('#b08a4a', 255);
  brush.circle(0, 0, 172);
  brush.wash('#fbf6e9', 255);
  brush.circle(0, 0, 166);
  brush.noWash();
  brush.fillBleed(0.05);
  brush.fillTexture(0.5, 0.6);
  brush.fill('#4a4642', 150);
  brush.circle(0, 0, 190);
  brush.fill('#fbf6e9', 255);
  brush.circle(0, 0, 164);
  brush.fill('#efe3c8', 120);
  brush.circle(-20, -25, 110);

  // hour and minute marks
  brush.set('pen', '#2a2622', 1.4);
  for (let i = 0; i < 60; i++) {
    if (i % 5 === 0) continue;
    let a = i * 6;
    brush.line(150 * sin(a), -150 * cos(a), 142 * sin(a), -142 * cos(a));
  }
  brush.set('rotring', '#1d1a17', 3);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    let r2 = i % 3 === 0 ? 112 : 125;
    brush.line(150 * sin(a), -150 * cos(a), r2 * sin(a), -r2 * cos(a));
  }
  brush.set('2B', '#8a7f70', 1);
  brush.circle(0, 0, 160);

  // hands: hour, minute, second
  brush.noStroke();
  brush.noFill();
  brush.wash('#1d1a17', 255);
  brush.polygon(hand(305, 80, 7, 18));
  brush.polygon(hand(60, 122, 5, 22));
  brush.wash('#c0392b', 255);
  brush.polygon(hand(168, 132, 1.6, 34));
  brush.circle(0, 0, 9);
  brush.noWash();
  brush.fillBleed(0.02);
  brush.fill('#1d1a17', 255);
  brush.circle(0, 0, 4);
}
