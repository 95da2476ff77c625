// A giant grey elephant scaled so large it is cropped by the top and left edges, only ear, trunk and legs showing.
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
function leg(x0, x1, top, bottom, col) {
  paint([[x0, top], [x1, top], [x1 - 2, bottom - 10], [x1 + 4, bottom], [x0 - 4, bottom], [x0 + 2, bottom - 10]], col, 225, 160);
}
function elephant(x, y, s, body, dark, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  // far legs (darker), then near legs
  leg(-62, -28, 30, 150, dark);
  leg(78, 110, 30, 150, dark);
  paint(ell(0, 0, 130, 86, 0), body, 228, 165);
  leg(-118, -76, 30, 162, body);
  leg(24, 66, 30, 162, body);
  // head and trunk
  paint(ell(125, -28, 62, 64, 0), body, 228, 165);
  paint(band([[162, -5], [188, 40], [192, 100], [182, 140], [198, 154]], 42, 16), body, 228, 165);
  // ear
  paint(ell(98, -18, 42, 60, 8), dark, 215, 145);
  pop();
}
function elephantDetails(x, y, s, ink, flip) {
  push();
  translate(x, y);
  scale(flip ? -s : s, s);
  brush.noStroke();
  paint(band([[150, 18], [172, 34], [198, 30]], 11, 4), '#efe6d2', 240, 220);
  brush.wash('#141210', 250);
  brush.circle(150, -42, 4);
  brush.noWash();
  brush.noFill();
  brush.set('2B', ink, 1.5);
  brush.spline([[-128, -5], [-150, 40], [-142, 72]], 0.5);
  brush.spline([[-100, -60], [-20, -88], [80, -70]], 0.5);
  for (let k = 0; k < 3; k++) brush.line(178, 60 + k * 28, 190, 62 + k * 28);
  pop();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4efe4');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#d9c38e', 150);
  brush.rect(-256, 160, 512, 96);
  brush.fillBleed(0.12);
  elephant(-330, -120, 2.1, '#8c8f93', '#6c6f75', false);
  elephantDetails(-330, -120, 2.1, '#3b3d42', false);
}
