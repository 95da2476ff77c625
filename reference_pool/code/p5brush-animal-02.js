// A grey tabby cat sitting upright on a cushion, looking out with amber eyes, soft grey watercolour with pencil stripes.
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
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f2efe9');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#dcd7cf', 150);
  brush.rect(-256, -256, 512, 330);
  brush.fillBleed(0.12);
  // cushion
  paint(ell(0, 170, 190, 45, 0), '#8a9aa8', 215, 150);
  // tail curling round the front
  paint(band([[70, 150], [20, 165], [-60, 160], [-100, 140]], 24, 16), '#7b7b7d', 220, 150);
  // body
  paint([[-70, 150], [-85, 40], [-50, -30], [50, -30], [85, 40], [70, 150]], '#9a9a9c', 225, 160);
  paint(ell(0, 60, 42, 80, 0), '#d8d4cc', 220, 150);
  // head
  paint(ell(0, -80, 70, 58, 0), '#9a9a9c', 228, 165);
  paint([[-62, -100], [-58, -170], [-18, -128]], '#8a8a8c', 228, 165);
  paint([[62, -100], [58, -170], [18, -128]], '#8a8a8c', 228, 165);
  paint([[-52, -115], [-52, -150], [-30, -128]], '#d9a7a0', 210, 150);
  paint([[52, -115], [52, -150], [30, -128]], '#d9a7a0', 210, 150);
  paint(ell(0, -55, 30, 20, 0), '#d8d4cc', 225, 160);
  // eyes
  paint(ell(-26, -88, 13, 11, 0), '#e0a63a', 235, 200);
  paint(ell(26, -88, 13, 11, 0), '#e0a63a', 235, 200);
  brush.wash('#1c1a18', 250);
  brush.polygon(ell(-26, -88, 3.5, 10, 0));
  brush.polygon(ell(26, -88, 3.5, 10, 0));
  brush.noWash();
  paint([[-8, -66], [8, -66], [0, -56]], '#c9807a', 235, 210);
  // tabby stripes, whiskers, paws
  brush.noFill();
  brush.set('2B', '#4d4c4e', 1.6);
  for (let i = 0; i < 3; i++) {
    brush.spline([[-15 + i * 15, -135], [-12 + i * 12, -118]], 0.3);
    brush.spline([[-82, 20 + i * 30], [-60, 28 + i * 30]], 0.3);
    brush.spline([[82, 20 + i * 30], [60, 28 + i * 30]], 0.3);
  }
  brush.set('pen', '#3a3836', 1.1);
  brush.line(-20, -55, -90, -65);
  brush.line(-20, -50, -90, -45);
  brush.line(20, -55, 90, -65);
  brush.line(20, -50, 90, -45);
  brush.spline([[0, -56], [-6, -46], [-14, -46]], 0.5);
  brush.spline([[0, -56], [6, -46], [14, -46]], 0.5);
  brush.set('HB', '#4d4c4e', 1.4);
  brush.line(-15, 150, -15, 130);
  brush.line(15, 150, 15, 130);
}
