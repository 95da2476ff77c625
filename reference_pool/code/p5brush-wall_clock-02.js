// A minimalist wall clock on a teal painted wall: white rim and face, teal dot hour markers and slim dark teal hands at 4:40.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef2ee');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // teal wall, wash plus texture
  brush.noFill();
  brush.wash('#2e8b84', 235);
  brush.rect(-256, -256, 512, 512);
  brush.noWash();
  brush.fillBleed(0.35);
  brush.fillTexture(0.6, 0.3);
  brush.fill('#1f6f6a', 140);
  brush.rect(-256, 40, 512, 216);
  brush.fill('#5fb0a6', 110);
  brush.rect(-256, -256, 512, 200);
  // shadow
  brush.fillBleed(0.15);
  brush.fill('#174f4b', 170);
  brush.circle(16, 20, 175);

  // rim and face
  brush.noFill();
  brush.wash('#f4f1ea', 255);
  brush.circle(0, 0, 175);
  brush.noWash();
  brush.fillBleed(0.03);
  brush.fillTexture(0.3, 0.5);
  brush.fill('#d9dcd5', 160);
  brush.circle(0, 0, 175);
  brush.fill('#fbfaf6', 255);
  brush.circle(0, 0, 158);

  // thin ring and minute ticks in pencil
  brush.set('HB', '#6d8f8a', 1.2);
  brush.circle(0, 0, 158);
  for (let i = 0; i < 60; i++) {
    let a = i * 6;
    brush.line(145 * sin(a), -145 * cos(a), 139 * sin(a), -139 * cos(a));
  }
  brush.noStroke();

  // teal dot hour markers
  brush.fillBleed(0.02);
  brush.fillTexture(0.2, 0.4);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    let r = i % 3 === 0 ? 10 : 6;
    brush.fill(i % 3 === 0 ? '#1f6f6a' : '#2e8b84', 255);
    brush.circle(122 * sin(a), -122 * cos(a), r);
    brush.circle(122 * sin(a), -122 * cos(a), r);
  }

  // hands at 4:40
  brush.noFill();
  brush.wash('#184a47', 255);
  brush.polygon(hand(140, 78, 5, 14));
  brush.polygon(hand(240, 118, 3.5, 18));
  brush.wash('#e07a4f', 255);
  brush.polygon(hand(20, 128, 1.3, 30));
  brush.circle(0, 0, 7);
  brush.noWash();
  brush.fill('#184a47', 255);
  brush.circle(0, 0, 3);
}
