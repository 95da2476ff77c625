// A wooden wall clock: warm walnut rim with grain, brass inner ring, double ink hour marks and brass hands at 11:05, on a sage green wall.
function hand(a, len, w, tail) {
  let ux = sin(a), uy = -cos(a), px = cos(a), py = sin(a);
  return [[-ux * tail + px * w, -uy * tail + py * w], [ux * len + px * w * 0.4, uy * len + py * w * 0.4], [ux * (len + 10), uy * (len + 10)], [ux * len - px * w * 0.4, uy * len - py * w * 0.4], [-ux * tail - px * w, -uy * tail - py * w]];
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef0e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#b7c4a2', 170);
  brush.rect(-256, -256, 512, 512);
  brush.fillBleed(0.2);
  brush.fill('#6f7a5c', 150);
  brush.circle(14, 18, 200);

  // walnut rim
  brush.noFill();
  brush.wash('#7a4a26', 255);
  brush.circle(0, 0, 200);
  brush.noWash();
  brush.fillBleed(0.04);
  brush.fillTexture(0.6, 0.6);
  brush.fill('#5a3218', 150);
  brush.circle(0, 0, 200);
  brush.fill('#a06a3a', 120);
  brush.circle(-40, -50, 120);

  // wood grain arcs (strokes before the face washes)
  brush.set('HB', '#3e220f', 1.3);
  for (let r = 170; r < 198; r += 7) brush.arc(0, 0, r, random(180, 220), random(300, 350));
  for (let r = 172; r < 198; r += 9) brush.arc(0, 0, r, random(10, 40), random(120, 160));
  brush.noStroke();

  // brass ring and face
  brush.noFill();
  brush.wash('#c9a24a', 255);
  brush.circle(0, 0, 164);
  brush.wash('#f7efdc', 255);
  brush.circle(0, 0, 156);
  brush.noWash();
  brush.fillBleed(0.03);
  brush.fill('#eadbb7', 120);
  brush.circle(20, 25, 110);

  // double hour marks
  brush.set('rotring', '#2a1c10', 2);
  for (let i = 0; i < 12; i++) {
    let a = i * 30;
    let r2 = i % 3 === 0 ? 108 : 122;
    for (let d of [-2.2, 2.2]) {
      let b = a + d;
      brush.line(144 * sin(b), -144 * cos(b), r2 * sin(b), -r2 * cos(b));
    }
  }
  brush.noStroke();

  // brass hands
  brush.noFill();
  brush.wash('#4a2e12', 255);
  brush.polygon(hand(332.5, 80, 7, 16));
  brush.polygon(hand(30, 120, 5, 20));
  brush.wash('#c9a24a', 255);
  brush.polygon(hand(332.5, 74, 3.5, 10));
  brush.polygon(hand(30, 114, 2.2, 14));
  brush.circle(0, 0, 9);
  brush.noWash();
  brush.fill('#4a2e12', 255);
  brush.circle(0, 0, 3);
}
