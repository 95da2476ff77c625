// Two koi, one red-orange and one white with red patches, circling each other in a deep teal pond, seen from above.
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
function paintU(pts, col, op, under) {
  // opaque paper-coloured underlay so the colour stays clean over a dark ground
  brush.noFill();
  brush.wash('#f7f2ea', 255);
  brush.polygon(pts);
  brush.noWash();
  paint(pts, col, op, under);
}
function koi(cx, cy, r, a0, body, patch) {
  // spine along a circular arc, head first
  const spine = [];
  for (let i = 0; i <= 9; i++) {
    const a = a0 - i * 13;
    spine.push([cx + r * cos(a), cy + r * sin(a)]);
  }
  // tapering body: paint from a widened head to a narrow tail
  const L = [], R = [];
  for (let i = 0; i < spine.length; i++) {
    const a = a0 - i * 13;
    const w = (i < 3 ? 40 + i * 8 : 56 - (i - 3) * 8);
    L.push([cx + (r - w / 2) * cos(a), cy + (r - w / 2) * sin(a)]);
    R.push([cx + (r + w / 2) * cos(a), cy + (r + w / 2) * sin(a)]);
  }
  paintU(L.concat(R.reverse()), body, 235, 185);
  // rounded snout
  paintU(ell(cx + r * cos(a0), cy + r * sin(a0), 21, 21, 0), body, 235, 185);
  // patches
  for (const k of [1, 4, 6]) {
    const a = a0 - k * 13;
    paintU(ell(cx + r * cos(a), cy + r * sin(a), 14, 20, a), patch, 230, 180);
  }
  // tail fin
  const at = a0 - 9 * 13, tx = cx + r * cos(at), ty = cy + r * sin(at);
  const dx = sin(at), dy = -cos(at);
  paintU([[tx, ty], [tx + dx * 55 - dy * 34, ty + dy * 55 + dx * 34], [tx + dx * 34, ty + dy * 34], [tx + dx * 55 + dy * 34, ty + dy * 55 - dx * 34]], patch, 200, 130);
  // pectoral fins
  const af = a0 - 2 * 13;
  const fx = cx + r * cos(af), fy = cy + r * sin(af);
  paintU([[fx - 22 * cos(af), fy - 22 * sin(af)], [fx - 48 * cos(af) + 10 * sin(af), fy - 48 * sin(af) - 10 * cos(af)], [fx - 24 * cos(af) + 22 * sin(af), fy - 24 * sin(af) - 22 * cos(af)]], body, 180, 110);
  paintU([[fx + 22 * cos(af), fy + 22 * sin(af)], [fx + 48 * cos(af) + 10 * sin(af), fy + 48 * sin(af) - 10 * cos(af)], [fx + 24 * cos(af) + 22 * sin(af), fy + 24 * sin(af) - 22 * cos(af)]], body, 180, 110);
  // eyes
  const ah = a0 - 4, hx = cx + r * cos(ah), hy = cy + r * sin(ah);
  brush.wash('#101414', 250);
  brush.circle(hx - 9 * cos(ah), hy - 9 * sin(ah), 3);
  brush.circle(hx + 9 * cos(ah), hy + 9 * sin(ah), 3);
  brush.noWash();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#2f6a68');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // deep pond, darker towards the centre
  brush.fillBleed(0.35);
  brush.fillTexture(0.15, 0.1);
  brush.fill('#1d4f52', 170);
  brush.circle(0, 0, 190);
  brush.fill('#5f9e92', 130);
  brush.circle(-200, -200, 140);
  brush.fill('#5f9e92', 110);
  brush.circle(210, 210, 110);
  brush.fillTexture(0.5, 0.3);
  // lily pads at the edges
  brush.fillBleed(0.1);
  paint(ell(-190, 175, 70, 60, 0), '#7fa85a', 225, 160);
  paint(ell(200, -185, 60, 52, 0), '#7fa85a', 225, 160);
  paint([[-190, 175], [-140, 140], [-130, 175]], '#2f6f6c', 230, 200);
  paint([[200, -185], [250, -210], [255, -180]], '#2f6f6c', 230, 200);
  // two koi chasing round a circle
  koi(0, 0, 120, 100, '#f3eee4', '#d9402c');
  koi(0, 0, 120, 280, '#e8622f', '#f4b04a');
  // ripples in pale pencil
  brush.noFill();
  brush.set('2H', '#cfe5df', 1.5);
  brush.arc(0, 0, 175, 200, 250);
  brush.arc(0, 0, 175, 20, 70);
  brush.arc(150, 150, 30, 0, 180);
  brush.arc(150, 150, 45, 10, 170);
}
