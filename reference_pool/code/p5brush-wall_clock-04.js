// A bright red kitchen wall clock with a thick rim, white face, bold black bar markers and hands at 7:25, on pale blue tiles.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef3f5');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // tiled wall
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#c9dde6', 150);
  brush.rect(-256, -256, 512, 512);
  brush.set('HB', '#9fbccb', 1.2);
  for (let x = -256; x <= 256; x += 64) brush.line(x, -256, x, 256);
  for (let y = -256; y <= 256; y += 64) brush.line(-256, y, 256, y);
  brush.noStroke();
  brush.fillBleed(0.2);
  brush.fill('#7f8f98', 140);
  brush.circle(12, 16, 185);

  // red rim, two washes plus texture
  brush.noFill();
  brush.wash('#c9262c', 255);
  brush.circle(0, 0, 185);
  brush.noWash();
  brush.fillBleed(0.03);
  brush.fillTexture(0.5, 0.6);
  brush.fill('#a51d24', 150);
  brush.circle(0, 0, 185);
  brush.fill('#e2473d', 120);
  brush.circle(-30, -40, 120);
  brush.noFill();
  brush.wash('#fdfbf7', 255);
  brush.circle(0, 0, 148);
  brush.noWash();
  brush.fill('#eef0f2', 130);
  brush.circle(20, 25, 110);

  // bar markers and ticks
  brush.set('pen', '#222', 1.2);
  for (let i = 0; i < 60; i++) {
    if (i % 5 === 0) continue;
    let a = i * 6;
    brush.line(138 * sin(a), -138 * cos(a), 132 * sin(a), -132 * cos(a));
  }
  brush.noStroke();
  brush.noFill();
  brush.wash('#1a1a1a', 255);
  for (let i = 0; i < 12; i++) {
    let a = i * 30, w = i % 3 === 0 ? 5 : 3.5, r1 = 136, r2 = i % 3 === 0 ? 100 : 112;
    let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
    brush.polygon([[ux * r1 + px * w, uy * r1 + py * w], [ux * r2 + px * w, uy * r2 + py * w], [ux * r2 - px * w, uy * r2 - py * w], [ux * r1 - px * w, uy * r1 - py * w]]);
  }
  // hands at 7:25
  brush.polygon(hand(222.5, 72, 7, 16));
  brush.polygon(hand(150, 110, 5, 20));
  brush.wash('#c9262c', 255);
  brush.polygon(hand(320, 122, 1.6, 30));
  brush.circle(0, 0, 10);
  brush.noWash();
  brush.fill('#1a1a1a', 255);
  brush.circle(0, 0, 3);
}
