// A red fox curled asleep in the snow, its white-tipped tail wrapped around it, warm orange against cool blue shadows.
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
  background('#f5f3ee');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // cool snow shadow under the fox
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#b9cbe0', 160);
  brush.polygon(ell(10, 95, 200, 45, 0));
  brush.fill('#dbe5ef', 130);
  brush.rect(-256, 120, 512, 136);
  brush.fillBleed(0.12);
  // body
  paint(ell(20, 15, 130, 85, -5), '#d9692c', 225, 165);
  paint(ell(40, -5, 95, 50, -8), '#c2521f', 210, 140);
  // tail wrapping round the front
  const tail = [];
  for (let a = -10; a <= 150; a += 16) tail.push([20 + 140 * cos(a), 30 + 70 * sin(a)]);
  paint(band(tail, 48, 56), '#e57a36', 225, 165);
  const tip = tail.slice(-3);
  paint(band(tip, 52, 40), '#f3eee6', 235, 200);
  // head resting on the tail
  paint(ell(-85, -5, 52, 40, 20), '#df7030', 228, 170);
  paint([[-110, 0], [-170, 35], [-125, 40], [-90, 28]], '#e98a48', 228, 170);
  paint([[-150, 32], [-172, 36], [-140, 44]], '#f1ece3', 230, 190);
  // ears
  paint([[-95, -40], [-120, -95], [-70, -45]], '#b94a1c', 228, 170);
  paint([[-55, -35], [-45, -90], [-30, -30]], '#b94a1c', 228, 170);
  paint([[-92, -48], [-110, -82], [-78, -50]], '#3b2a22', 200, 140);
  // nose
  brush.wash('#231a16', 250);
  brush.circle(-170, 35, 5);
  brush.noWash();
  // sleeping eye and fur lines in ink
  brush.noFill();
  brush.set('pen', '#2b1d16', 1.8);
  brush.spline([[-115, 5], [-104, 12], [-92, 8]], 0.6);
  brush.set('2B', '#8a3a14', 1.4);
  brush.spline([[60, -40], [110, -30], [140, -5]], 0.6);
  brush.spline([[0, -55], [50, -60], [90, -50]], 0.6);
  brush.set('2H', '#7c93b0', 1.4);
  brush.line(-200, 140, -60, 138);
  brush.line(60, 150, 220, 146);
}
