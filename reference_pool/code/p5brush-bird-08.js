// A green parrot with a red forehead sitting on a jungle branch, layered green watercolour leaves.
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
  background('#f1f0e3');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // jungle leaves behind
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  const leaves = [[-200, -160, 30], [-170, 120, -20], [190, -170, 150], [200, 140, 200], [-220, -20, 10], [220, -10, 170]];
  for (const l of leaves) {
    brush.fill('#a9c48a', 160);
    brush.polygon(ell(l[0], l[1], 90, 35, l[2]));
  }
  // branch
  brush.fillBleed(0.05);
  brush.fillTexture(0.4, 0.3, false);
  paint(band([[-256, 150], [-60, 120], [120, 135], [256, 110]], 24, 16), '#7b5a3c', 215, 150);
  brush.fillTexture(0.5, 0.3);
  brush.fillBleed(0.1);
  // tail
  paint([[-15, 100], [-40, 230], [-5, 235], [20, 100]], '#2f8a5a', 220, 150);
  paint([[-5, 120], [-10, 230], [8, 230], [10, 120]], '#2f6fb0', 210, 140);
  // body
  paint(ell(0, 20, 60, 95, 0), '#3fa55f', 225, 160);
  paint(ell(-30, 30, 32, 78, 8), '#2d7d48', 215, 150);
  // head
  paint(ell(10, -90, 46, 44, 0), '#4dba6a', 225, 165);
  paint(ell(5, -120, 26, 14, 0), '#d63a30', 225, 170);
  // beak
  paint([[38, -104], [62, -102], [76, -84], [66, -62], [52, -74], [38, -74]], '#d8c9a8', 240, 220);
  paint([[40, -76], [56, -72], [46, -58]], '#3a3530', 235, 210);
  brush.wash('#111111', 250);
  brush.circle(22, -98, 6);
  brush.noWash();
  brush.wash('#f5f5f0', 240);
  brush.circle(22, -98, 2);
  brush.noWash();
  // claws
  brush.noFill();
  brush.set('HB', '#5a5048', 2);
  brush.spline([[-15, 110], [-20, 128], [-8, 135]], 0.5);
  brush.spline([[15, 110], [12, 128], [25, 133]], 0.5);
  brush.set('2B', '#1f5a35', 1.3);
  brush.spline([[-45, -10], [-50, 40], [-35, 90]], 0.5);
}
