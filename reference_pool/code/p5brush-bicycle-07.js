// A bicycle drawn far too large in muddy browns, so only part of a wheel and the frame fit on the page.
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
  brush.fillBleed(0.4);
  brush.fillTexture(0.6, 0.4);
  brush.fill('#8a7a5a', 190);
  brush.rect(-256, -256, 512, 512);
  brush.fill('#6a6a4a', 170);
  brush.rect(-256, 0, 512, 256);
  // bicycle drawn far too large: only part of the rear wheel and frame fit
  let RH = [-260, 150], BB = [60, 170], ST = [10, -150], HT = [330, -160];
  wheel(RH, 230, '#3a3020', '#5a4a30');
  brush.noStroke();
  let tubes = [[BB, ST, 28], [ST, HT, 24], [BB, [360, -60], 30], [BB, RH, 18], [ST, RH, 16]];
  brush.fill('#7a4a3a', 210);
  for (let t of tubes) brush.polygon(tube(t[0], t[1], t[2]));
  brush.fill('#5a3a2a', 200);
  brush.polygon([[-60, -220], [90, -228], [110, -200], [30, -180], [-50, -190]]);
  brush.fill('#4a4a40', 220);
  brush.circle(BB[0], BB[1], 55);
}
