// A blue road bicycle with drop handlebars in side view, on a pale blue wash above a grey road with white dashes.
function tube(a, b, w) {
  let dx = b[0] - a[0], dy = b[1] - a[1], L = sqrt(dx * dx + dy * dy);
  let nx = -dy / L * w / 2, ny = dx / L * w / 2;
  return [[a[0] + nx, a[1] + ny], [b[0] + nx, b[1] + ny], [b[0] - nx, b[1] - ny], [a[0] - nx, a[1] - ny]];
}

function wheel(c, r, tyre, spoke) {
  brush.set('rotring', tyre, 3);
  for (let k = 0; k < 4; k++) brush.circle(c[0], c[1], r - k * 2.2);
  brush.set('pen', spoke, 1.1);
  brush.circle(c[0], c[1], r - 12);
  brush.set('pen', spoke, 0.7);
  for (let i = 0; i < 18; i++) {
    let a = i * 20 + 7;
    brush.line(c[0] + 6 * cos(a), c[1] + 6 * sin(a), c[0] + (r - 12) * cos(a), c[1] + (r - 12) * sin(a));
  }
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef3f6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // pale blue backdrop and a grey road strip
  brush.fillBleed(0.35);
  brush.fillTexture(0.45, 0.2);
  brush.fill('#b3cde3', 190);
  brush.rect(-256, -256, 512, 400);
  brush.fill('#8a9eb0', 180);
  brush.rect(-256, 150, 512, 106);
  let RH = [-135, 68], FH = [135, 68], BB = [-15, 78];
  let ST = [-50, -55], HT = [88, -58], HB = [98, -22], LOW = [38, 22];

  // wheels and chain in ink (strokes come before the washes)
  brush.noFill();
  wheel(RH, 82, '#1f2530', '#7d8896');
  wheel(FH, 82, '#1f2530', '#7d8896');
  brush.set('pen', '#7d8896', 1.2);
  brush.line(BB[0], BB[1] - 19, RH[0], RH[1] - 8);
  brush.line(BB[0], BB[1] + 19, RH[0], RH[1] + 8);
  brush.noStroke();

  // frame in flat colour, then dark parts
  brush.noFill();
  brush.wash('#2357a6', 255);
  for (let t of [[BB, ST, 9], [ST, HT, 8], [BB, HB, 10], [BB, RH, 6], [ST, RH, 5], [HT, HB, 11], [HB, FH, 7]]) brush.polygon(tube(t[0], t[1], t[2]));
  brush.wash('#1f2530', 255);
  for (let t of [[ST, [-56, -82], 5], [HT, [84, -86], 5], [BB, [8, 113], 5], [[84, -84], [108, -87], 4], [[108, -87], [120, -74], 4], [[120, -74], [112, -58], 4], [[112, -58], [104, -56], 4]]) brush.polygon(tube(t[0], t[1], t[2]));
  brush.rect(-4, 109, 26, 8);
  brush.wash('#1f2530', 255);
  brush.polygon([[-90, -92], [-38, -94], [-26, -86], [-54, -79], [-88, -82]]);
  brush.noWash();

  // chainring and hubs (fills also settle the washes)
  brush.fillBleed(0.02);
  brush.fillTexture(0.3, 0.5);
  brush.fill('#7d8896', 230);
  brush.circle(BB[0], BB[1], 19);
  brush.fill('#2357a6', 255);
  brush.circle(BB[0], BB[1], 7);
  brush.fill('#1f2530', 245);
  brush.circle(RH[0], RH[1], 6);
  brush.circle(FH[0], FH[1], 6);
  // road markings
  brush.noFill();
  brush.wash('#eef3f6', 220);
  for (let x = -240; x < 256; x += 110) brush.rect(x, 205, 60, 6);
  brush.noWash();
  brush.fill('#8a9eb0', 60);
  brush.circle(0, 230, 3);
}
