// A robin with an orange breast perched on a bare twig against a pale sage wash, watercolour with pencil details.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function paintU(pts, col, op, under) {
  // paper-coloured underlay keeps the orange clean where it overlaps the wing
  brush.noFill();
  brush.wash('#f5f0e4', 255);
  brush.polygon(pts);
  brush.noWash();
  paint(pts, col, op, under);
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f0e4');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // background wash
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#c9d6b8', 150);
  brush.circle(-20, -10, 210);

  // twig
  brush.set('charcoal', '#5b4331', 2.2);
  brush.spline([[-250, 150], [-100, 110], [60, 95], [250, 40]], 0.5);
  brush.set('2B', '#5b4331', 1.6);
  brush.spline([[120, 80], [170, 20], [190, -30]], 0.5);
  brush.noStroke();
  // leaf buds
  brush.fillBleed(0.15);
  paint(ell(190, -40, 16, 8, -60), '#8aa05a', 200, 120);
  paint(ell(-160, 120, 14, 7, 20), '#8aa05a', 200, 120);

  // tail
  paint([[-70, 40], [-170, 110], [-150, 125], [-40, 70]], '#6b5444', 210, 140);
  // back and wing (brown-olive)
  paint(ell(-10, 10, 95, 62, -15), '#8b6f55', 210, 130);
  paint(ell(-30, 0, 70, 35, -20), '#6b5444', 200, 120);
  // orange breast
  paintU(ell(44, 30, 52, 56, 0), '#e2763a', 220, 170);
  // head
  paint(ell(70, -55, 45, 42, 0), '#8b6f55', 210, 140);
  paintU(ell(80, -34, 32, 28, 0), '#e2763a', 220, 170);
  // legs
  brush.set('HB', '#4a3a2e', 1.6);
  brush.line(10, 75, 0, 102);
  brush.line(35, 78, 40, 98);
  // beak and eye
  brush.noStroke();
  paint([[108, -60], [140, -50], [108, -45]], '#3b3129', 230, 200);
  brush.wash('#1b1612', 255);
  brush.circle(88, -62, 6);
  brush.noWash();
  brush.wash('#ffffff', 230);
  brush.circle(90, -64, 1.8);
  brush.noWash();
  // feather pencil marks
  brush.noFill();
  brush.set('2B', '#4a3a2e', 1.2);
  brush.spline([[-80, 5], [-30, -20], [20, -25]], 0.6);
  brush.spline([[-70, 25], [-20, 5], [25, 0]], 0.6);
}
