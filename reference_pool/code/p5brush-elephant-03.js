// An elephant dipping its trunk into a blue waterhole on a dry plain, cool blue and grey watercolour.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function band(pts, w0, w1) {
  const L = [], R = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[max(0, i - 1)], b = pts[min(pts.length - 1, i + 1)];
    let tx = b[0] - a[0], ty = b[1] - a[1];
    const m = sqrt(tx * tx + ty * ty);
    tx /= m; ty /= m;
    const w = lerp(w0, w1, i / (pts.length - 1)) / 2;
    L.push([pts[i][0] - ty * w, pts[i][1] + tx * w]);
    R.push([pts[i][0] + ty * w, pts[i][1] - tx * w]);
  }
  return L.concat(R.reverse());
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function elephant(x, y, s, body, dark, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  // far legs (darker)
  paint([[-85, 40], [-50, 40], [-52, 150], [-82, 150]], dark, 220, 150);
  paint([[55, 40], [88, 40], [86, 150], [58, 150]], dark, 220, 150);
  // body
  paint(ell(0, 0, 130, 88, 0), body, 228, 165);
  // near legs
  paint([[-110, 30], [-65, 40], [-68, 160], [-108, 160]], body, 228, 165);
  paint([[30, 40], [75, 40], [73, 160], [34, 160]], body, 228, 165);
  // head
  paint(ell(125, -30, 62, 66, 0), body, 228, 165);
  // trunk
  paint(band([[160, -10], [185, 40], [188, 100], [178, 135], [192, 150]], 42, 16), body, 228, 165);
  // ear
  paint(ell(95, -20, 42, 62, 8), dark, 215, 145);
  pop();
}
function elephantDetails(x, y, s, ink, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  brush.noFill();
  brush.set('2B', ink, 1.5);
  brush.spline([[-128, -5], [-150, 40], [-140, 70]], 0.5);
  brush.spline([[172, 40], [180, 42]], 0.2);
  brush.spline([[175, 70], [184, 72]], 0.2);
  brush.spline([[176, 100], [185, 101]], 0.2);
  pop();
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  brush.noStroke();
  brush.wash('#f2ead8', 240);
  brush.polygon([[160, 10], [200, 30], [206, 22], [168, 0]]);
  brush.noWash();
  brush.wash('#141210', 250);
  brush.circle(150, -45, 4);
  brush.noWash();
  pop();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f1f0ea');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#cfe0ea', 150);
  brush.rect(-256, -256, 512, 290);
  brush.fill('#c9b48a', 150);
  brush.rect(-256, 40, 512, 70);
  // waterhole
  brush.fillBleed(0.2);
  paint(ell(20, 170, 260, 70, 0), '#4d86b3', 210, 140);
  brush.fill('#2f5f8f', 140);
  brush.polygon(ell(40, 185, 180, 40, 0));
  brush.fillBleed(0.12);
  // elephant bending to drink: trunk into water
  push();
  translate(-60, -20);
  scale(0.8);
  paint([[-85, 40], [-50, 40], [-52, 150], [-82, 150]], '#5e6b78', 220, 150);
  paint([[55, 40], [88, 40], [86, 150], [58, 150]], '#5e6b78', 220, 150);
  paint(ell(0, 0, 130, 88, 0), '#7d8894', 228, 165);
  paint([[-110, 30], [-65, 40], [-68, 160], [-108, 160]], '#7d8894', 228, 165);
  paint([[30, 40], [75, 40], [73, 160], [34, 160]], '#7d8894', 228, 165);
  paint(ell(130, 0, 60, 64, 0), '#7d8894', 228, 165);
  paint(band([[165, 25], [195, 80], [205, 150], [200, 215]], 40, 18), '#7d8894', 228, 165);
  paint(ell(100, 5, 44, 62, 5), '#5e6b78', 215, 145);
  brush.wash('#141210', 250);
  brush.circle(155, -15, 4);
  brush.noWash();
  brush.wash('#f2ead8', 240);
  brush.polygon([[165, 40], [205, 62], [210, 54], [172, 30]]);
  brush.noWash();
  pop();
  // reflection
  brush.fill('#3b5f80', 110);
  brush.polygon(ell(-60, 200, 100, 22, 0));
  // ripples
  brush.noFill();
  brush.set('2H', '#e6f0f6', 1.6);
  brush.spline([[70, 160], [110, 168], [150, 160]], 0.6);
  brush.spline([[60, 190], [110, 200], [170, 190]], 0.6);
  brush.set('2B', '#4a4d52', 1.3);
  brush.spline([[-163, -20], [-180, 20], [-172, 45]], 0.5);
}
