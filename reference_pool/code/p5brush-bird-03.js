// A brown tawny owl perched on a mossy branch under a pale ochre moon, warm watercolour with pencil feathers.
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
  background('#f3ecdf');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // moon
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.fill('#e8c987', 170);
  brush.circle(110, -140, 90);
  // branch
  brush.fillBleed(0.12);
  paint([[-256, 120], [0, 100], [256, 80], [256, 110], [0, 135], [-256, 150]], '#6e5136', 210, 150);
  paint(ell(-120, 108, 40, 10, -5), '#7d8f4c', 190, 90);
  // body
  paint(ell(0, 10, 88, 108, 0), '#8a5a36', 215, 150);
  // wings
  paint(ell(-62, 25, 38, 85, 12), '#6a4329', 210, 140);
  paint(ell(62, 25, 38, 85, -12), '#6a4329', 210, 140);
  // belly
  paint(ell(0, 40, 52, 68, 0), '#c9925c', 210, 140);
  // head
  paint(ell(0, -95, 78, 62, 0), '#8a5a36', 220, 150);
  paint([[-70, -125], [-58, -175], [-35, -140]], '#6a4329', 220, 160);
  paint([[70, -125], [58, -175], [35, -140]], '#6a4329', 220, 160);
  // facial discs
  paint(ell(-30, -92, 32, 30, 0), '#e6c79a', 220, 170);
  paint(ell(30, -92, 32, 30, 0), '#e6c79a', 220, 170);
  // eyes
  brush.wash('#1d1410', 250);
  brush.circle(-30, -92, 12);
  brush.circle(30, -92, 12);
  brush.noWash();
  brush.wash('#f8f3e8', 240);
  brush.circle(-26, -96, 3);
  brush.circle(34, -96, 3);
  brush.noWash();
  // beak
  paint([[-9, -72], [9, -72], [0, -50]], '#d9a441', 230, 200);
  // feet
  paint(ell(-25, 112, 16, 8, 0), '#c9a24a', 220, 170);
  paint(ell(25, 112, 16, 8, 0), '#c9a24a', 220, 170);
  // pencil chevrons on belly
  brush.noFill();
  brush.set('2B', '#5a3620', 1.4);
  for (let r = 0; r < 4; r++) {
    for (let c = -1; c <= 1; c++) {
      const x = c * 24 + (r % 2) * 12 - 6, y = 0 + r * 24;
      brush.spline([[x - 8, y], [x, y + 7], [x + 8, y]], 0.5);
    }
  }
  brush.set('HB', '#3e2a1c', 1.4);
  brush.spline([[-62, -30], [-75, 40], [-60, 100]], 0.6);
  brush.spline([[62, -30], [75, 40], [60, 100]], 0.6);
}
