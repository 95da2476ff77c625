// A yellow step-through bicycle with a wicker basket full of pink and coral flowers, against a warm cream wall with a soft floor shadow.
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
  background('#f8f3e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // warm wall, floor and shadow
  brush.fillBleed(0.35);
  brush.fillTexture(0.45, 0.2);
  brush.fill('#f2dfae', 180);
  brush.rect(-256, -256, 512, 410);
  brush.fill('#f7ecd0', 150);
  brush.circle(20, -40, 160);
  brush.fill('#c9b08e', 170);
  brush.rect(-256, 150, 512, 106);
  brush.fillBleed(0.2);
  brush.fill('#9f8d74', 140);
  brush.polygon([[-225, 152], [225, 152], [195, 168], [-195, 168]]);
  let RH = [-135, 68], FH = [135, 68], BB = [-15, 78];
  let ST = [-50, -55], HT = [88, -58], HB = [98, -22], LOW = [38, 22];

  // wheels and chain in ink (strokes come before the washes)
  brush.noFill();
  wheel(RH, 82, '#3a3128', '#8a7f70');
  wheel(FH, 82, '#3a3128', '#8a7f70');
  brush.set('pen', '#8a7f70', 1.2);
  brush.line(BB[0], BB[1] - 19, RH[0], RH[1] - 8);
  brush.line(BB[0], BB[1] + 19, RH[0], RH[1] + 8);
  brush.noStroke();

  // frame in flat colour, then dark parts
  brush.noFill();
  brush.wash('#e3b021', 255);
  for (let t of [[BB, ST, 9], [LOW, HT, 9], [BB, LOW, 9], [BB, RH, 6], [ST, RH, 5], [HT, HB, 11], [HB, FH, 7]]) brush.polygon(tube(t[0], t[1], t[2]));
  brush.wash('#3a3128', 255);
  for (let t of [[ST, [-56, -82], 5], [HT, [84, -86], 5], [BB, [8, 113], 5], [[84, -84], [62, -93], 4], [[62, -93], [42, -90], 4], [[44, -90], [30, -88], 7]]) brush.polygon(tube(t[0], t[1], t[2]));
  brush.rect(-4, 109, 26, 8);
  brush.wash('#6b3f1f', 255);
  brush.polygon([[-90, -92], [-38, -94], [-26, -86], [-54, -79], [-88, -82]]);
  brush.noWash();

  // chainring and hubs (fills also settle the washes)
  brush.fillBleed(0.02);
  brush.fillTexture(0.3, 0.5);
  brush.fill('#8a7f70', 230);
  brush.circle(BB[0], BB[1], 19);
  brush.fill('#c98f12', 255);
  brush.circle(BB[0], BB[1], 7);
  brush.fill('#3a3128', 245);
  brush.circle(RH[0], RH[1], 6);
  brush.circle(FH[0], FH[1], 6);
  // wicker basket on the front rack
  brush.fillBleed(0.03);
  brush.fillTexture(0.4, 0.5);
  brush.fill('#c48a4a', 235);
  brush.polygon([[98, -74], [176, -74], [168, -18], [106, -18]]);
  brush.polygon([[98, -74], [176, -74], [168, -18], [106, -18]]);
  // flowers and leaves spilling out
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.4);
  brush.fill('#6f9a4c', 210);
  brush.circle(104, -80, 14);
  brush.circle(174, -84, 14);
  brush.circle(140, -112, 12);
  let fl = [[112, -92, '#e0567a'], [136, -104, '#f08a5d'], [160, -94, '#d8455b'], [124, -80, '#f4b6c6'], [150, -80, '#e0567a'], [172, -104, '#f4b6c6'], [98, -104, '#f08a5d']];
  for (let f of fl) {
    brush.fill(f[2], 240);
    brush.circle(f[0], f[1], 13);
    brush.circle(f[0], f[1], 11);
  }
  brush.fill('#f6d35c', 255);
  for (let f of fl) brush.circle(f[0], f[1], 3);
  // weave lines over the basket
  brush.set('HB', '#7a4a1f', 1.3);
  for (let y = -64; y <= -26; y += 10) brush.line(102, y, 172, y);
  for (let x = 112; x <= 164; x += 10) brush.line(x, -72, x - 1, -20);
}
