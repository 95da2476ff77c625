// A pink flamingo standing on one leg in turquoise shallows, soft watercolour washes with an ink-black beak tip.
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
  background('#f7f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // warm sky blush and water
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#f6d6cf', 140);
  brush.rect(-256, -256, 512, 260);
  brush.fill('#7cc7c0', 170);
  brush.rect(-256, 150, 512, 106);
  brush.fill('#4aa3a2', 130);
  brush.polygon([[-256, 200], [256, 185], [256, 256], [-256, 256]]);
  // reflection
  brush.fill('#e98aa0', 90);
  brush.polygon([[-40, 165], [60, 165], [30, 230], [-20, 230]]);

  brush.fillBleed(0.12);
  // body
  paint(ell(-10, -10, 95, 55, -12), '#ef8ea3', 220, 150);
  // wing with deeper pink and dark flight feathers
  paint(ell(-35, -5, 70, 36, -15), '#e2637f', 210, 140);
  paint([[-110, 5], [-165, 30], [-95, 25]], '#3a2b2e', 210, 150);
  // neck S-curve as a band
  const neck = [[55, -25], [78, -50], [92, -85], [86, -118], [66, -145], [52, -172], [56, -198], [74, -214]];
  paint(band(neck, 30, 20), '#f29bb0', 220, 160);
  // head
  paint(ell(82, -215, 22, 18, 0), '#f29bb0', 225, 170);
  // beak: pale then black tip, bent down
  paint([[94, -224], [122, -216], [118, -200], [96, -208]], '#e7c4bd', 235, 210);
  paint([[118, -217], [132, -212], [125, -190], [116, -201]], '#211c1e', 240, 220);
  brush.wash('#2a2022', 250);
  brush.circle(86, -220, 3.5);
  brush.noWash();
  // legs
  brush.noFill();
  brush.set('2B', '#d96a82', 2.6);
  brush.line(-5, 35, 5, 175);
  brush.spline([[-20, 35], [-45, 80], [5, 95]], 0.4);
  brush.set('HB', '#2f5f66', 1.4);
  brush.line(-80, 180, 60, 178);
  brush.line(-30, 195, 110, 193);
}
